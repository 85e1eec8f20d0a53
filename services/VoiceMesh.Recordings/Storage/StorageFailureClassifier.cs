using System.Net;
using Amazon.Runtime;
using Azure;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Storage;

/// <summary>
/// Blob storage's part of the retry policy: a store that cannot be reached, times out, throttles or answers 5xx after
/// its SDK's own retries is an outage, so the archive command is held until the store answers again. Other answers
/// (403 for a bad key, 404 for a missing bucket) are not classified: a few quick retries, then <c>_error</c>.
/// </summary>
internal sealed class StorageFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => FailureKind.Outage,
        AmazonServiceException { StatusCode: HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests } => FailureKind.Outage,
        AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError } => FailureKind.Outage,
        AmazonServiceException { InnerException: HttpRequestException or IOException or TimeoutException } => FailureKind.Outage,
        AmazonClientException { InnerException: HttpRequestException or IOException or TimeoutException } => FailureKind.Outage,
        _ => null,
    };
}
