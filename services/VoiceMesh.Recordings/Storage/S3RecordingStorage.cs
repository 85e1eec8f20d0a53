using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace VoiceMesh.Recordings.Storage;

/// <summary>
/// Recordings as objects in one S3 bucket (or an S3-compatible server). A write reads one 5 MiB part at a time while
/// hashing it: content that ends within the first part is one PutObject; anything longer is a multipart upload, aborted
/// when anything fails, so only a completed upload is ever visible. The metadata (<c>accountsid</c>, <c>callsid</c>,
/// <c>recordingsid</c>, <c>sha256</c>) goes with the PutObject; a multipart upload learns its SHA-256 only at the end,
/// so the completed object is copied onto itself with the full metadata (a server-side copy, S3's way to change
/// metadata). Server-side encryption, when configured, is requested on every write. Bodies are sent without chunk
/// encoding: S3-compatible servers such as s3rver store 'aws-chunked' framing inside the object. The bucket is created
/// on the first write when it does not exist.
/// </summary>
public sealed partial class S3RecordingStorage(IAmazonS3 s3, IOptions<BlobStorageOptions> options, ILogger<S3RecordingStorage> logger) : IRecordingStorage
{
    /// <summary>The size of an uploaded part, and so of the one buffer a write holds (S3's minimum part size).</summary>
    public const int PartSize = 5 * 1024 * 1024;

    private readonly string _bucket = options.Value.S3.Bucket!;
    private readonly ServerSideEncryptionMethod? _encryption = options.Value.S3.ServerSideEncryption is { Length: > 0 } sse
        ? ServerSideEncryptionMethod.FindValue(sse)
        : null;
    private readonly string? _kmsKeyId = options.Value.S3.KmsKeyId is { Length: > 0 } kms ? kms : null;

    private volatile bool _bucketExists;

    public async Task<StoredBlob> Write(string key, Stream content, RecordingBlobMetadata metadata, CancellationToken cancellationToken)
    {
        await EnsureBucket(cancellationToken);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(PartSize);
        try
        {
            var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false, cancellationToken);
            hash.AppendData(buffer, 0, filled);
            if (filled < PartSize)
            {
                var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
                await PutObject(key, buffer, filled, metadata, sha256, cancellationToken);
                return Stored(key, filled, sha256, metadata);
            }

            return await WriteMultipart(key, content, metadata, hash, buffer, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            // Removed since it was checked: the next write creates it again.
            _bucketExists = false;
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<Stream?> OpenRead(string key, CancellationToken cancellationToken)
    {
        try
        {
            var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken);
            return new S3RangeReadStream(s3, _bucket, key, head.ContentLength, head.ETag);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<bool> Exists(string key, CancellationToken cancellationToken)
    {
        try
        {
            await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>S3 answers 204 whether or not the key exists.</summary>
    public Task Delete(string key, CancellationToken cancellationToken) =>
        s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, cancellationToken);

    private async Task PutObject(string key, byte[] buffer, int length, RecordingBlobMetadata metadata, string sha256, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = metadata.ContentType,
            UseChunkEncoding = false,
            ServerSideEncryptionMethod = _encryption,
            ServerSideEncryptionKeyManagementServiceKeyId = _kmsKeyId,
        };
        AddMetadata(request.Metadata, metadata, sha256);
        await s3.PutObjectAsync(request, cancellationToken);
    }

    /// <summary>
    /// Uploads the first part (already read, hashed and in <paramref name="buffer"/>) and the rest, part by part, then
    /// completes the upload and sets the metadata; any failure aborts the upload.
    /// </summary>
    private async Task<StoredBlob> WriteMultipart(
        string key, Stream content, RecordingBlobMetadata metadata, IncrementalHash hash, byte[] buffer, CancellationToken cancellationToken)
    {
        var initiate = new InitiateMultipartUploadRequest
        {
            BucketName = _bucket,
            Key = key,
            ContentType = metadata.ContentType,
            ServerSideEncryptionMethod = _encryption,
            ServerSideEncryptionKeyManagementServiceKeyId = _kmsKeyId,
        };
        AddMetadata(initiate.Metadata, metadata, sha256: null);
        var uploadId = (await s3.InitiateMultipartUploadAsync(initiate, cancellationToken)).UploadId;
        long size = 0;
        string etag;
        try
        {
            var parts = new List<PartETag>();
            var filled = PartSize;
            while (filled > 0)
            {
                parts.Add(await UploadPart(key, uploadId, parts.Count + 1, buffer, filled, cancellationToken));
                size += filled;
                if (filled < PartSize)
                {
                    break;
                }

                filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false, cancellationToken);
                hash.AppendData(buffer, 0, filled);
            }

            etag = (await s3.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId, PartETags = parts },
                cancellationToken)).ETag;
        }
        catch (Exception ex)
        {
            await Abort(key, uploadId, ex);
            throw;
        }

        // Complete: the object is whole. Should this copy fail, the write fails and its retry writes the key again.
        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        await SetMetadata(key, etag, metadata, sha256, cancellationToken);
        return Stored(key, size, sha256, metadata);
    }

    private async Task<PartETag> UploadPart(string key, string uploadId, int partNumber, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var response = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = body,
            PartSize = length,
            UseChunkEncoding = false,
        }, cancellationToken);
        return new PartETag(partNumber, response.ETag);
    }

    /// <summary>Copies the object onto itself with the full metadata, unless another write replaced it meanwhile.</summary>
    private async Task SetMetadata(string key, string etag, RecordingBlobMetadata metadata, string sha256, CancellationToken cancellationToken)
    {
        var copy = new CopyObjectRequest
        {
            SourceBucket = _bucket,
            SourceKey = key,
            DestinationBucket = _bucket,
            DestinationKey = key,
            ETagToMatch = etag,
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = metadata.ContentType,
            ServerSideEncryptionMethod = _encryption,
            ServerSideEncryptionKeyManagementServiceKeyId = _kmsKeyId,
        };
        AddMetadata(copy.Metadata, metadata, sha256);
        await s3.CopyObjectAsync(copy, cancellationToken);
    }

    /// <summary>Aborts a failed upload so its parts are dropped; a failure to abort is logged, and the write's own failure is what is thrown.</summary>
    private async Task Abort(string key, string uploadId, Exception cause)
    {
        LogAborting(key, uploadId, cause.Message);
        try
        {
            await s3.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            LogAbortFailed(key, uploadId, ex.Message);
        }
    }

    private async Task EnsureBucket(CancellationToken cancellationToken)
    {
        if (!_bucketExists)
        {
            try
            {
                await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = _bucket }, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                await CreateBucket(cancellationToken);
            }

            _bucketExists = true;
        }
    }

    private async Task CreateBucket(CancellationToken cancellationToken)
    {
        try
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket, UseClientRegion = true }, cancellationToken);
            LogBucketCreated(_bucket);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            LogBucketCreatedElsewhere(_bucket);
        }
    }

    private StoredBlob Stored(string key, long size, string sha256, RecordingBlobMetadata metadata) =>
        new(key, new Uri($"s3://{_bucket}/{key}"), size, sha256, metadata.ContentType);

    private static void AddMetadata(MetadataCollection collection, RecordingBlobMetadata metadata, string? sha256)
    {
        foreach (var (name, value) in BlobMetadata.Of(metadata, sha256))
        {
            collection.Add(name, value);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created S3 bucket {Bucket}")]
    private partial void LogBucketCreated(string bucket);

    [LoggerMessage(Level = LogLevel.Information, Message = "S3 bucket {Bucket} was created by another instance meanwhile")]
    private partial void LogBucketCreatedElsewhere(string bucket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Aborting the multipart upload {UploadId} of {Key}: {Reason}")]
    private partial void LogAborting(string key, string uploadId, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The multipart upload {UploadId} of {Key} could not be aborted ({Reason}); its parts stay until the bucket's lifecycle rule removes them")]
    private partial void LogAbortFailed(string key, string uploadId, string reason);
}
