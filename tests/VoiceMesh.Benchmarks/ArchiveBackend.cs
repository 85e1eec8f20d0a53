using System.Buffers;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>The storage backends a recordings scenario can archive into (<c>--backend</c>).</summary>
internal enum BackendKind
{
    FileSystem,
    Azure,
    S3,
}

/// <summary>The backends' names on the command line.</summary>
internal static class Backends
{
    private static readonly Dictionary<string, BackendKind> Kinds = new(StringComparer.Ordinal)
    {
        ["filesystem"] = BackendKind.FileSystem,
        ["azure"] = BackendKind.Azure,
        ["s3"] = BackendKind.S3,
    };

    public static IEnumerable<string> Names => Kinds.Keys;

    public static BackendKind? Parse(string name) => Kinds.TryGetValue(name, out var kind) ? kind : null;

    public static string Name(BackendKind kind) => Kinds.First(k => k.Value == kind).Key;
}

/// <summary>A stored blob as read back: its size and SHA-256 (lower-case hex).</summary>
internal sealed record BlobDigest(long SizeBytes, string Sha256);

/// <summary>
/// The storage a recordings scenario archives into, as the benchmark sees it: the Recordings service's
/// <c>BlobStorage__*</c> settings; the baseline's plain copy, written with the same SDK or IO the service's backend
/// uses, into a folder, container or bucket of its own on the same server; and every stored blob, the service's and
/// the baseline's, read back to check its size and SHA-256. Azure and S3 run on the Azurite and s3rver the test
/// fixtures start.
/// </summary>
internal abstract class ArchiveBackend : IAsyncDisposable
{
    protected const int BufferSize = 81920;

    /// <summary>What the Recordings process is started with (<c>BlobStorage__*</c>).</summary>
    public abstract IReadOnlyDictionary<string, string> ServiceSettings { get; }

    /// <summary>What a plain copy does, for the report.</summary>
    public abstract string CopyDescription { get; }

    public static async Task<ArchiveBackend> Create(BackendKind kind, TestInfrastructure infrastructure) => kind switch
    {
        BackendKind.Azure => await AzureBackend.Create(await infrastructure.AzuriteConnectionString()),
        BackendKind.S3 => await S3Backend.Create(await infrastructure.S3Endpoint()),
        _ => new FileSystemBackend(),
    };

    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/> as a plain copy; returns once the last byte is stored.</summary>
    public abstract Task<Uri> Copy(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>Reads a stored blob (a service's <c>blobUri</c> or a copy's) to its end.</summary>
    public abstract Task<BlobDigest> Digest(Uri blob, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    protected static async Task<BlobDigest> Digest(Stream content, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long size = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            size += read;
        }

        return new BlobDigest(size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}

/// <summary>
/// The filesystem backend: the service writes under the mesh's recordings folder; a plain copy is a
/// <see cref="FileStream"/> written as the service's backend writes (asynchronous, 80 KB buffer) and flushed to disk,
/// into a temporary folder of its own on the same filesystem.
/// </summary>
internal sealed class FileSystemBackend : ArchiveBackend
{
    private readonly string _copies = Path.Combine(Path.GetTempPath(), "voicemesh-bench-copies-" + Guid.NewGuid().ToString("N"));

    public override IReadOnlyDictionary<string, string> ServiceSettings { get; } = new Dictionary<string, string>();

    public override string CopyDescription => "FileStream write (80 KB buffer, asynchronous), flushed to disk";

    public override async Task<Uri> Copy(string key, Stream content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_copies, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
        await content.CopyToAsync(file, BufferSize, cancellationToken);
        await file.FlushAsync(cancellationToken);
        file.Flush(flushToDisk: true);
        return new Uri(path);
    }

    public override async Task<BlobDigest> Digest(Uri blob, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(blob.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous);
        return await Digest(file, cancellationToken);
    }

    public override ValueTask DisposeAsync()
    {
        if (Directory.Exists(_copies))
        {
            Directory.Delete(_copies, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Azure Blob on Azurite: the service archives into a container of its own; a plain copy is
/// <see cref="BlobClient.UploadAsync(Stream, BlobUploadOptions, CancellationToken)"/> of the body, in blocks of the
/// service's block size (4 MiB: one Put Blob up to that), into another container. Both containers are deleted at the end.
/// </summary>
internal sealed class AzureBackend : ArchiveBackend
{
    private const int BlockSize = 4 * 1024 * 1024;

    private readonly BlobServiceClient _service;
    private readonly BlobContainerClient _copies;
    private readonly string _archive = TestInfrastructure.NewBucketName("bench-archive");

    private AzureBackend(string connectionString)
    {
        _service = new BlobServiceClient(connectionString);
        _copies = _service.GetBlobContainerClient(TestInfrastructure.NewBucketName("bench-copies"));
        ServiceSettings = new Dictionary<string, string>
        {
            ["BlobStorage__Backend"] = "azure",
            ["BlobStorage__Azure__ConnectionString"] = connectionString,
            ["BlobStorage__Azure__Container"] = _archive,
        };
    }

    public override IReadOnlyDictionary<string, string> ServiceSettings { get; }

    public override string CopyDescription => "BlobClient.UploadAsync (Azure.Storage.Blobs, 4 MiB blocks: one Put Blob up to 4 MiB)";

    /// <summary>A backend whose plain copies' container exists; the service creates its own on its first write.</summary>
    public static async Task<AzureBackend> Create(string connectionString)
    {
        var backend = new AzureBackend(connectionString);
        await backend._copies.CreateIfNotExistsAsync();
        return backend;
    }

    public override async Task<Uri> Copy(string key, Stream content, CancellationToken cancellationToken)
    {
        var blob = _copies.GetBlobClient(key);
        await blob.UploadAsync(content, new BlobUploadOptions
        {
            TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockSize, MaximumTransferSize = BlockSize, MaximumConcurrency = 1 },
        }, cancellationToken);
        return blob.Uri;
    }

    public override async Task<BlobDigest> Digest(Uri blob, CancellationToken cancellationToken)
    {
        var name = new BlobUriBuilder(blob);
        var download = await _service.GetBlobContainerClient(name.BlobContainerName).GetBlobClient(name.BlobName)
            .DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var content = download.Value.Content;
        return await Digest(content, cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await _copies.DeleteIfExistsAsync();
        await _service.GetBlobContainerClient(_archive).DeleteIfExistsAsync();
    }
}

/// <summary>
/// S3 on s3rver: the service archives into a bucket of its own; a plain copy goes through
/// <see cref="AmazonS3Client"/> as the service's backend uploads, without chunk encoding (s3rver would store the
/// framing): the body read into a 5 MiB buffer, one PutObject when it ends within it, otherwise a multipart upload of
/// 5 MiB parts. Both buckets are emptied and deleted at the end.
/// </summary>
internal sealed class S3Backend : ArchiveBackend
{
    private const int PartSize = 5 * 1024 * 1024;

    private readonly AmazonS3Client _client;
    private readonly string _copies = TestInfrastructure.NewBucketName("bench-copies");
    private readonly string _archive = TestInfrastructure.NewBucketName("bench-archive");

    private S3Backend(S3Endpoint endpoint)
    {
        _client = new AmazonS3Client(
            new BasicAWSCredentials(endpoint.AccessKey, endpoint.SecretKey),
            new AmazonS3Config { ServiceURL = endpoint.ServiceUrl.ToString(), ForcePathStyle = endpoint.ForcePathStyle, AuthenticationRegion = endpoint.Region });
        ServiceSettings = new Dictionary<string, string>
        {
            ["BlobStorage__Backend"] = "s3",
            ["BlobStorage__S3__ServiceUrl"] = endpoint.ServiceUrl.ToString(),
            ["BlobStorage__S3__Region"] = endpoint.Region,
            ["BlobStorage__S3__AccessKey"] = endpoint.AccessKey,
            ["BlobStorage__S3__SecretKey"] = endpoint.SecretKey,
            ["BlobStorage__S3__ForcePathStyle"] = endpoint.ForcePathStyle ? "true" : "false",
            ["BlobStorage__S3__Bucket"] = _archive,
        };
    }

    public override IReadOnlyDictionary<string, string> ServiceSettings { get; }

    public override string CopyDescription => "AmazonS3Client PutObject (AWSSDK.S3, no chunk encoding; 5 MiB multipart parts beyond 5 MiB)";

    /// <summary>A backend whose plain copies' bucket exists; the service creates its own on its first write.</summary>
    public static async Task<S3Backend> Create(S3Endpoint endpoint)
    {
        var backend = new S3Backend(endpoint);
        await backend._client.PutBucketAsync(backend._copies);
        return backend;
    }

    public override async Task<Uri> Copy(string key, Stream content, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PartSize);
        try
        {
            var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false, cancellationToken);
            if (filled < PartSize)
            {
                using var body = new MemoryStream(buffer, 0, filled, writable: false);
                await _client.PutObjectAsync(
                    new PutObjectRequest { BucketName = _copies, Key = key, InputStream = body, AutoCloseStream = false, UseChunkEncoding = false },
                    cancellationToken);
            }
            else
            {
                await Multipart(key, content, buffer, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new Uri($"s3://{_copies}/{key}");
    }

    public override async Task<BlobDigest> Digest(Uri blob, CancellationToken cancellationToken)
    {
        using var stored = await _client.GetObjectAsync(new GetObjectRequest { BucketName = blob.Host, Key = blob.AbsolutePath.TrimStart('/') }, cancellationToken);
        return await Digest(stored.ResponseStream, cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var bucket in (string[])[_copies, _archive])
        {
            await Empty(bucket);
        }

        _client.Dispose();
    }

    /// <summary>Uploads the first part (already in <paramref name="buffer"/>) and the rest, part by part, then completes the upload.</summary>
    private async Task Multipart(string key, Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var uploadId = (await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _copies, Key = key }, cancellationToken)).UploadId;
        var parts = new List<PartETag>();
        var filled = PartSize;
        while (filled > 0)
        {
            using var part = new MemoryStream(buffer, 0, filled, writable: false);
            var uploaded = await _client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = _copies, Key = key, UploadId = uploadId, PartNumber = parts.Count + 1, InputStream = part, PartSize = filled, UseChunkEncoding = false,
            }, cancellationToken);
            parts.Add(new PartETag(parts.Count + 1, uploaded.ETag));
            filled = filled < PartSize ? 0 : await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false, cancellationToken);
        }

        await _client.CompleteMultipartUploadAsync(
            new CompleteMultipartUploadRequest { BucketName = _copies, Key = key, UploadId = uploadId, PartETags = parts }, cancellationToken);
    }

    /// <summary>Deletes every object of the bucket, then the bucket; a bucket never created is nothing to do.</summary>
    private async Task Empty(string bucket)
    {
        try
        {
            ListObjectsV2Response page;
            do
            {
                page = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
                foreach (var stored in page.S3Objects ?? [])
                {
                    await _client.DeleteObjectAsync(bucket, stored.Key);
                }
            }
            while (page.IsTruncated == true);

            await _client.DeleteBucketAsync(bucket);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }
}
