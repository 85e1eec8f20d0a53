using Microsoft.Extensions.Options;

namespace VoiceMesh.Recordings.Storage;

/// <summary>
/// Fails start-up when the chosen backend lacks a setting it needs, naming the key; the other backends' settings are
/// not looked at.
/// </summary>
public sealed class BlobStorageOptionsValidator : IValidateOptions<BlobStorageOptions>
{
    public const string AwsKms = "aws:kms";
    public const string Aes256 = "AES256";

    public ValidateOptionsResult Validate(string? name, BlobStorageOptions options)
    {
        var failures = options.Backend switch
        {
            BlobStorageBackend.FileSystem => FileSystem(options),
            BlobStorageBackend.Azure => Azure(options.Azure),
            BlobStorageBackend.S3 => S3(options.S3),
            _ => [$"BlobStorage:Backend '{options.Backend}' is not one of filesystem, azure, s3."],
        };
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static List<string> FileSystem(BlobStorageOptions options) =>
        string.IsNullOrWhiteSpace(options.Directory) ? ["BlobStorage:Directory is required with BlobStorage:Backend filesystem."] : [];

    private static List<string> Azure(AzureBlobStorageOptions azure)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(azure.ConnectionString))
        {
            failures.Add("BlobStorage:Azure:ConnectionString is required with BlobStorage:Backend azure.");
        }

        if (string.IsNullOrWhiteSpace(azure.Container))
        {
            failures.Add("BlobStorage:Azure:Container is required with BlobStorage:Backend azure.");
        }
        else if (!IsContainerName(azure.Container))
        {
            failures.Add($"BlobStorage:Azure:Container '{azure.Container}' is not a container name (3-63 lower-case letters, digits and single '-', starting and ending with a letter or digit).");
        }

        return failures;
    }

    private static List<string> S3(S3StorageOptions s3)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            failures.Add("BlobStorage:S3:Bucket is required with BlobStorage:Backend s3.");
        }

        if (string.IsNullOrWhiteSpace(s3.Region))
        {
            failures.Add("BlobStorage:S3:Region is required with BlobStorage:Backend s3 (the region requests are signed for; us-east-1 for s3rver).");
        }

        if (!string.IsNullOrWhiteSpace(s3.ServiceUrl)
            && !(Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"BlobStorage:S3:ServiceUrl '{s3.ServiceUrl}' is not an absolute http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(s3.AccessKey) != string.IsNullOrWhiteSpace(s3.SecretKey))
        {
            failures.Add("BlobStorage:S3:AccessKey and BlobStorage:S3:SecretKey go together: set both, or neither for the SDK's default credentials.");
        }

        if (s3.ServerSideEncryption is { Length: > 0 } sse && sse is not (Aes256 or AwsKms))
        {
            failures.Add($"BlobStorage:S3:ServerSideEncryption '{sse}' is not {Aes256} or {AwsKms}.");
        }

        if (!string.IsNullOrWhiteSpace(s3.KmsKeyId) && s3.ServerSideEncryption != AwsKms)
        {
            failures.Add($"BlobStorage:S3:KmsKeyId needs BlobStorage:S3:ServerSideEncryption {AwsKms}.");
        }

        return failures;
    }

    /// <summary>Azure's container naming rules.</summary>
    private static bool IsContainerName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && name[0] != '-' && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal);
}
