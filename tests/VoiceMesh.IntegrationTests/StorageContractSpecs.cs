using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>The filesystem backend (<c>BlobStorage:Backend=filesystem</c>) in a temporary folder.</summary>
public sealed class FileSystemStorageContractSpecs : RecordingStorageContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("voicemesh-storage-contract-").FullName;

    protected override Task<Dictionary<string, string?>> Settings() => Task.FromResult(new Dictionary<string, string?>
    {
        ["BlobStorage:Backend"] = "filesystem",
        ["BlobStorage:Directory"] = _directory,
    });

    protected override async Task<StoredProperties> ReadProperties(string key)
    {
        var sideCar = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(Path.Combine(_directory, key + ".json"), Ct));
        var metadata = sideCar.GetProperty("metadata");
        return new StoredProperties(metadata.GetProperty("contentType").GetString(), new Dictionary<string, string>
        {
            ["callsid"] = metadata.GetProperty("callSid").GetString()!,
            ["recordingsid"] = metadata.GetProperty("recordingSid").GetString()!,
            ["sha256"] = sideCar.GetProperty("sha256").GetString()!,
        });
    }

    protected override Task<IReadOnlyList<string>> Keys(string prefix)
    {
        var folder = Path.Combine(_directory, prefix);
        IReadOnlyList<string> keys = Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder).Where(f => !f.EndsWith(".json", StringComparison.Ordinal)).Select(f => prefix + Path.GetFileName(f))]
            : [];
        return Task.FromResult(keys);
    }

    /// <summary>Also no temporary file: <see cref="Keys"/> would list one, since it lists every file but the side-cars.</summary>
    protected override Task AssertNothingUnfinished(string key)
    {
        var folder = Path.GetDirectoryName(Path.Combine(_directory, key))!;
        Assert.Empty(Directory.Exists(folder) ? Directory.EnumerateFileSystemEntries(folder) : []);
        return Task.CompletedTask;
    }

    protected override void OnDisposed() => Directory.Delete(_directory, recursive: true);
}

/// <summary>The Azure Blob backend against Azurite, in a container of this class's own, with an encryption scope.</summary>
public sealed class AzureBlobStorageContractSpecs(TestInfrastructure infrastructure, RecordingStorageContract.Bucket bucket)
    : RecordingStorageContract, IClassFixture<RecordingStorageContract.Bucket>
{
    private readonly string _container = bucket.Name;
    private BlobContainerClient _client = null!;

    protected override async Task<Dictionary<string, string?>> Settings()
    {
        var connectionString = await infrastructure.AzuriteConnectionString();
        _client = new BlobContainerClient(connectionString, _container);
        return new Dictionary<string, string?>
        {
            ["BlobStorage:Backend"] = "azure",
            ["BlobStorage:Azure:ConnectionString"] = connectionString,
            ["BlobStorage:Azure:Container"] = _container,
            // Azurite accepts and ignores it; that it is sent is shown by AzureEncryptionScopeSpecs.
            ["BlobStorage:Azure:EncryptionScope"] = "recordings-scope",
        };
    }

    protected override async Task<StoredProperties> ReadProperties(string key)
    {
        var properties = (await _client.GetBlobClient(key).GetPropertiesAsync(cancellationToken: Ct)).Value;
        return new StoredProperties(properties.ContentType, properties.Metadata.ToDictionary(m => m.Key.ToLowerInvariant(), m => m.Value));
    }

    protected override async Task<IReadOnlyList<string>> Keys(string prefix)
    {
        var keys = new List<string>();
        await foreach (var blob in _client.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, Ct))
        {
            keys.Add(blob.Name);
        }

        return keys;
    }

    /// <summary>Staged blocks are never committed: the blob does not exist (checked by the contract), so there is nothing else to see.</summary>
    protected override Task AssertNothingUnfinished(string key) => Task.CompletedTask;
}

/// <summary>
/// The S3 backend against s3rver, in a bucket of this class's own, with <c>ServerSideEncryption=AES256</c>. The
/// client's requests are recorded with their headers, so a failed multipart upload can be seen to be aborted (s3rver
/// 3.7.1 implements neither AbortMultipartUpload, which it answers 405, nor ListMultipartUploads, so what the test can
/// check is that the backend asked for the abort) and every write to ask for the encryption (s3rver ignores it).
/// </summary>
public sealed class S3StorageContractSpecs(TestInfrastructure infrastructure, RecordingStorageContract.Bucket bucket)
    : RecordingStorageContract, IClassFixture<RecordingStorageContract.Bucket>
{
    private readonly string _bucket = bucket.Name;
    private readonly List<AmazonWebServiceRequest> _requests = [];
    private readonly List<(AmazonWebServiceRequest Request, string? Encryption)> _writes = [];
    private readonly List<string> _initiatedUploads = [];

    private AmazonS3Client Client => (AmazonS3Client)Services.GetRequiredService<IAmazonS3>();

    protected override async Task<Dictionary<string, string?>> Settings()
    {
        var s3 = await infrastructure.S3Endpoint();
        return new Dictionary<string, string?>
        {
            ["BlobStorage:Backend"] = "s3",
            ["BlobStorage:S3:ServiceUrl"] = s3.ServiceUrl.ToString(),
            ["BlobStorage:S3:Region"] = s3.Region,
            ["BlobStorage:S3:AccessKey"] = s3.AccessKey,
            ["BlobStorage:S3:SecretKey"] = s3.SecretKey,
            ["BlobStorage:S3:ForcePathStyle"] = s3.ForcePathStyle ? "true" : "false",
            ["BlobStorage:S3:Bucket"] = _bucket,
            ["BlobStorage:S3:ServerSideEncryption"] = "AES256",
        };
    }

    protected override async Task<StoredProperties> ReadProperties(string key)
    {
        var head = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, Ct);
        return new StoredProperties(head.Headers.ContentType, head.Metadata.Keys.ToDictionary(
            name => name.Replace("x-amz-meta-", "", StringComparison.OrdinalIgnoreCase).ToLowerInvariant(), name => head.Metadata[name]));
    }

    protected override async Task<IReadOnlyList<string>> Keys(string prefix)
    {
        var listed = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix }, Ct);
        return [.. (listed.S3Objects ?? []).Select(o => o.Key)];
    }

    protected override Task AssertNothingUnfinished(string key)
    {
        lock (_requests)
        {
            var upload = Assert.Single(_initiatedUploads);
            var abort = Assert.Single(_requests.OfType<AbortMultipartUploadRequest>());
            Assert.Equal((upload, key, _bucket), (abort.UploadId, abort.Key, abort.BucketName));
            Assert.Empty(_requests.OfType<CompleteMultipartUploadRequest>());
        }

        return Task.CompletedTask;
    }

    /// <summary>Records the requests this test's client sends and the multipart uploads it initiated.</summary>
    protected override void OnStarted()
    {
        Client.BeforeRequestEvent += (_, e) =>
        {
            if (e is WebServiceRequestEventArgs { Request: { } request, Headers: var headers })
            {
                lock (_requests)
                {
                    _requests.Add(request);
                    if (request is PutObjectRequest or InitiateMultipartUploadRequest or CopyObjectRequest)
                    {
                        _writes.Add((request, headers.TryGetValue("x-amz-server-side-encryption", out var sse) ? sse : null));
                    }
                }
            }
        };
        Client.AfterResponseEvent += (_, e) =>
        {
            if (e is WebServiceResponseEventArgs { Response: InitiateMultipartUploadResponse initiated })
            {
                lock (_requests)
                {
                    _initiatedUploads.Add(initiated.UploadId);
                }
            }
        };
    }

    [Fact]
    public async Task Every_object_write_asks_for_the_configured_server_side_encryption()
    {
        var small = NewRecording();
        var large = NewRecording();

        await Storage.Write(small.Key, new MemoryStream(new byte[1000]), small.Metadata, Ct);
        await Storage.Write(large.Key, new MemoryStream(new byte[6 * 1024 * 1024]), large.Metadata, Ct);

        lock (_requests)
        {
            Assert.Equal(
                [(typeof(PutObjectRequest), "AES256"), (typeof(InitiateMultipartUploadRequest), "AES256"), (typeof(CopyObjectRequest), "AES256")],
                _writes.Select(w => (w.Request.GetType(), w.Encryption)));
        }
    }
}
