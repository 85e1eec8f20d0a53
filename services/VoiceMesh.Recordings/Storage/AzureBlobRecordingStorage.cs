using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;

namespace VoiceMesh.Recordings.Storage;

/// <summary>
/// Recordings as block blobs in one Azure Blob container. A write stages the content block by block (one block in
/// memory at a time, each with a transactional MD5) while hashing it, and commits the block list last, with the content
/// type and the metadata (<c>accountsid</c>, <c>callsid</c>, <c>recordingsid</c>, <c>sha256</c>): staged blocks are
/// invisible until that commit, so a failed write leaves no blob (Azure discards uncommitted blocks after a week).
/// The encryption scope, when configured, goes with every block and commit (the client sends it), and a container this
/// backend creates (on the first write, when missing) gets it as its default scope.
/// </summary>
public sealed partial class AzureBlobRecordingStorage(
    BlobContainerClient container, IOptions<BlobStorageOptions> options, ILogger<AzureBlobRecordingStorage> logger) : IRecordingStorage
{
    /// <summary>The size of a staged block, and so of the one buffer a write holds.</summary>
    public const int BlockSize = 4 * 1024 * 1024;

    private static readonly BlockBlobStageBlockOptions StageOptions = new()
    {
        TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
    };

    private readonly BlobContainerEncryptionScopeOptions? _containerScope = options.Value.Azure.EncryptionScope is { Length: > 0 } scope
        ? new BlobContainerEncryptionScopeOptions { DefaultEncryptionScope = scope }
        : null;

    private volatile bool _containerExists;

    public async Task<StoredBlob> Write(string key, Stream content, RecordingBlobMetadata metadata, CancellationToken cancellationToken)
    {
        await EnsureContainer(cancellationToken);
        var blob = container.GetBlockBlobClient(key);
        var write = Guid.NewGuid().ToString("N");
        var blocks = new List<string>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            int filled;
            do
            {
                filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, cancellationToken);
                if (filled == 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, filled);
                var blockId = BlockId(write, blocks.Count);
                using var block = new MemoryStream(buffer, 0, filled, writable: false);
                await Guarded(() => blob.StageBlockAsync(blockId, block, StageOptions, cancellationToken));
                blocks.Add(blockId);
                size += filled;
            }
            while (filled == BlockSize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        await Guarded(() => blob.CommitBlockListAsync(blocks, new CommitBlockListOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = metadata.ContentType },
            Metadata = BlobMetadata.Of(metadata, sha256),
        }, cancellationToken));
        return new StoredBlob(key, blob.Uri, size, sha256, metadata.ContentType);
    }

    public async Task<Stream?> OpenRead(string key, CancellationToken cancellationToken)
    {
        try
        {
            // Ranged GETs of the blob as it was when opened: seekable, with its length, for range requests.
            return await container.GetBlobClient(key).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            return null;
        }
    }

    public async Task<bool> Exists(string key, CancellationToken cancellationToken) =>
        await container.GetBlobClient(key).ExistsAsync(cancellationToken);

    public Task Delete(string key, CancellationToken cancellationToken) =>
        container.GetBlobClient(key).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);

    private async Task EnsureContainer(CancellationToken cancellationToken)
    {
        if (!_containerExists)
        {
            if ((await container.CreateIfNotExistsAsync(PublicAccessType.None, metadata: null, _containerScope, cancellationToken))?.Value is not null)
            {
                LogContainerCreated(container.Name);
            }

            _containerExists = true;
        }
    }

    /// <summary>Runs a request; a container removed since it was created is created again by the next write.</summary>
    private async Task Guarded(Func<Task> request)
    {
        try
        {
            await request();
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            _containerExists = false;
            throw;
        }
    }

    /// <summary>Block ids of one blob must all have the same length; a write's own prefix keeps its blocks apart from any other write's.</summary>
    private static string BlockId(string write, int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"{write}-{index:D6}"));

    [LoggerMessage(Level = LogLevel.Information, Message = "Created blob container {Container}")]
    private partial void LogContainerCreated(string container);
}
