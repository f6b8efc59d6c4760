"""The root element of each S3 output document, as S3 writes it.

botocore's model names the output shape (ListObjectsOutput), which is not what S3 sends
(ListBucketResult); Smithy's model carries the real name as an xmlName trait that botocore
drops, so the names are kept here as data, from S3's API reference. Outputs whose payload
member already has the right name (CopyObjectResult, LegalHold, ...) need no entry.
"""

from __future__ import annotations

from collections.abc import Mapping

# (endpoint prefix, operation) -> root element of the output document.
XML_ROOTS: Mapping[tuple[str, str], str] = {
    ("s3", "CompleteMultipartUpload"): "CompleteMultipartUploadResult",
    ("s3", "CreateMultipartUpload"): "InitiateMultipartUploadResult",
    ("s3", "CreateSession"): "CreateSessionResult",
    ("s3", "DeleteObjects"): "DeleteResult",
    ("s3", "GetBucketAccelerateConfiguration"): "AccelerateConfiguration",
    ("s3", "GetBucketAcl"): "AccessControlPolicy",
    ("s3", "GetBucketCors"): "CORSConfiguration",
    ("s3", "GetBucketLifecycle"): "LifecycleConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "LifecycleConfiguration",
    ("s3", "GetBucketLogging"): "BucketLoggingStatus",
    ("s3", "GetBucketNotification"): "NotificationConfiguration",
    ("s3", "GetBucketNotificationConfiguration"): "NotificationConfiguration",
    ("s3", "GetBucketRequestPayment"): "RequestPaymentConfiguration",
    ("s3", "GetBucketTagging"): "Tagging",
    ("s3", "GetBucketVersioning"): "VersioningConfiguration",
    ("s3", "GetBucketWebsite"): "WebsiteConfiguration",
    ("s3", "GetObjectAcl"): "AccessControlPolicy",
    ("s3", "GetObjectAttributes"): "GetObjectAttributesResponse",
    ("s3", "GetObjectTagging"): "Tagging",
    ("s3", "ListBucketAnalyticsConfigurations"): "ListBucketAnalyticsConfigurationResult",
    ("s3", "ListBucketInventoryConfigurations"): "ListInventoryConfigurationsResult",
    ("s3", "ListBucketMetricsConfigurations"): "ListMetricsConfigurationsResult",
    ("s3", "ListBuckets"): "ListAllMyBucketsResult",
    ("s3", "ListDirectoryBuckets"): "ListAllMyDirectoryBucketsResult",
    ("s3", "ListMultipartUploads"): "ListMultipartUploadsResult",
    ("s3", "ListObjectVersions"): "ListVersionsResult",
    ("s3", "ListObjects"): "ListBucketResult",
    ("s3", "ListObjectsV2"): "ListBucketResult",
    ("s3", "ListParts"): "ListPartsResult",
}


def xml_root(service: str, operation: str, default: str) -> str:
    """The root element the service writes for the operation's output document."""
    return XML_ROOTS.get((service, operation), default)
