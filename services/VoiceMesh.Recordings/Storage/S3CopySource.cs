using Amazon.Runtime;
using Amazon.S3.Model;

namespace VoiceMesh.Recordings.Storage;

/// <summary>
/// Sends a CopyObject's <c>x-amz-copy-source</c> as <c>/bucket/key</c> with each key segment URL-encoded and the
/// <c>/</c> between them kept, the form the AWS CLI sends. AWSSDK.S3 4.1 encodes the <c>/</c> too (<c>bucket%2Fkey</c>);
/// S3 accepts both, but s3rver 3.7.1 decodes the header with <c>decodeURI</c>, which keeps <c>%2F</c>, and answers
/// NoSuchBucket. Runs before the request is signed.
/// </summary>
internal static class S3CopySource
{
    public const string Header = "x-amz-copy-source";

    public static void Rewrite(object sender, RequestEventArgs e)
    {
        if (e is WebServiceRequestEventArgs { Request: CopyObjectRequest copy, Headers: { } headers })
        {
            headers[Header] = Of(copy.SourceBucket, copy.SourceKey);
        }
    }

    public static string Of(string bucket, string key) =>
        $"/{bucket}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";
}
