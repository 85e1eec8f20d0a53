using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>The archive scenario with <c>BlobStorage__Backend=azure</c>, on Azurite, in a container of this class's own.</summary>
public sealed class AzureRecordingArchiveSpecs(TestInfrastructure infrastructure) : RecordingArchiveSpecs(infrastructure)
{
    private readonly string _container = TestInfrastructure.NewBucketName("archive");
    private BlobContainerClient _client = null!;

    protected override async Task<Dictionary<string, string>> StorageSettings()
    {
        var connectionString = await Infrastructure.AzuriteConnectionString();
        _client = new BlobContainerClient(connectionString, _container);
        return new Dictionary<string, string>
        {
            ["BlobStorage__Backend"] = "azure",
            ["BlobStorage__Azure__ConnectionString"] = connectionString,
            ["BlobStorage__Azure__Container"] = _container,
        };
    }

    protected override Uri ExpectedBlobUri(string key) => _client.GetBlobClient(key).Uri;

    protected override async Task<byte[]> ReadFromStore(string key) =>
        (await _client.GetBlobClient(key).DownloadContentAsync(Ct)).Value.Content.ToArray();
}

/// <summary>The archive scenario with <c>BlobStorage__Backend=s3</c>, on s3rver, in a bucket of this class's own.</summary>
public sealed class S3RecordingArchiveSpecs(TestInfrastructure infrastructure) : RecordingArchiveSpecs(infrastructure)
{
    private readonly string _bucket = TestInfrastructure.NewBucketName("archive");
    private S3Endpoint _s3 = null!;

    protected override async Task<Dictionary<string, string>> StorageSettings()
    {
        _s3 = await Infrastructure.S3Endpoint();
        return new Dictionary<string, string>
        {
            ["BlobStorage__Backend"] = "s3",
            ["BlobStorage__S3__ServiceUrl"] = _s3.ServiceUrl.ToString(),
            ["BlobStorage__S3__Region"] = _s3.Region,
            ["BlobStorage__S3__AccessKey"] = _s3.AccessKey,
            ["BlobStorage__S3__SecretKey"] = _s3.SecretKey,
            ["BlobStorage__S3__ForcePathStyle"] = _s3.ForcePathStyle ? "true" : "false",
            ["BlobStorage__S3__Bucket"] = _bucket,
        };
    }

    protected override Uri ExpectedBlobUri(string key) => new($"s3://{_bucket}/{key}");

    protected override async Task<byte[]> ReadFromStore(string key)
    {
        using var client = new AmazonS3Client(
            new BasicAWSCredentials(_s3.AccessKey, _s3.SecretKey),
            new AmazonS3Config { ServiceURL = _s3.ServiceUrl.ToString(), ForcePathStyle = _s3.ForcePathStyle, AuthenticationRegion = _s3.Region });
        using var stored = await client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = key }, Ct);
        using var copy = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
