"""The IAM API over the uniform Invoke: botocore-shaped input dicts in, output dicts out.

Each module maps one resource's operations onto its logic class; nothing here touches SQL.
"""
