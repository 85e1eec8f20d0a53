using Microsoft.AspNetCore.Http;

namespace VoiceMesh.ServiceDefaults;

/// <summary>Reads a request body whole, up to a limit, so an oversized one is refused without being held.</summary>
public static class BoundedBody
{
    /// <summary>
    /// The request's body, or null when it declares or turns out to be longer than <paramref name="limit"/> bytes
    /// (reading stops there). A body the server could not read as framed throws <see cref="BadHttpRequestException"/>
    /// with the status to answer: Kestrel's own verdicts as they are, and the framing errors it reports as a bare
    /// <see cref="IOException"/> (a chunk size that overflows) as 400.
    /// </summary>
    public static async Task<byte[]?> ReadBounded(this HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await ReadFramed(request.Body, chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async Task<int> ReadFramed(Stream body, byte[] chunk, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(chunk, cancellationToken);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new BadHttpRequestException($"Malformed request body: {ex.Message}", StatusCodes.Status400BadRequest, ex);
        }
    }
}
