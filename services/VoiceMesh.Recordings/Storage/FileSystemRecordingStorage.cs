using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Storage;

/// <summary>
/// Recordings as files under <see cref="BlobStorageOptions.Directory"/>, metadata in a <c>.json</c> side-car.
/// Bytes go to a temporary file beside the blob, named after it (<c>.{name}.tmp</c>) and locked while it is written,
/// flushed to disk, then moved over the blob's name in one step, so a crash leaves at worst that temporary file, never
/// half a blob, and the next write of the key (the retried archive) replaces it. While another writer holds the
/// lock, a write of the same key throws <see cref="WorkInProgressException"/> (held and retried by the messaging
/// policy) and leaves that writer's file alone. The lock is held until the move (POSIX renames an open file).
/// </summary>
public sealed class FileSystemRecordingStorage(IOptions<BlobStorageOptions> options, IHostEnvironment environment) : IRecordingStorage
{
    private const int BufferSize = 81920;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly string _root = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.Directory));

    public async Task<StoredBlob> Write(string key, Stream content, RecordingBlobMetadata metadata, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.tmp");
        var temporaryMetadata = temporary + ".json";
        var file = OpenLocked(temporary, key);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    size += read;
                }

                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            var blob = new StoredBlob(key, new Uri(new Uri(path).AbsoluteUri), size, Convert.ToHexStringLower(hash.GetHashAndReset()), metadata.ContentType);
            await File.WriteAllTextAsync(temporaryMetadata, JsonSerializer.Serialize(new { metadata, blob.SizeBytes, blob.Sha256 }, Json), cancellationToken);
            File.Move(temporaryMetadata, path + ".json", overwrite: true);
            File.Move(temporary, path, overwrite: true);
            return blob;
        }
        catch
        {
            File.Delete(temporary);
            File.Delete(temporaryMetadata);
            throw;
        }
        finally
        {
            await file.DisposeAsync();
        }
    }

    public Task<Stream?> OpenRead(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Stream? stream = File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.Asynchronous)
            : null;
        return Task.FromResult(stream);
    }

    public Task<bool> Exists(string key, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathOf(key)));

    /// <summary>Deletes the blob and its side-car; a key that was never written (or whose folder is gone) is no error.</summary>
    public Task Delete(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (Directory.Exists(Path.GetDirectoryName(path)))
        {
            File.Delete(path);
            File.Delete(path + ".json");
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Creates (or truncates, once locked) the temporary file, locked against every other writer; a temporary file
    /// another writer holds is work in progress.
    /// </summary>
    private static FileStream OpenLocked(string temporary, string key)
    {
        try
        {
            return new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException) && File.Exists(temporary))
        {
            throw new WorkInProgressException($"Blob {key} is being written by another writer.");
        }
    }

    /// <summary>The file of a key, refusing any key that would leave the storage folder.</summary>
    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key));
        return path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new ArgumentException($"Blob key '{key}' leaves the storage folder.", nameof(key));
    }
}
