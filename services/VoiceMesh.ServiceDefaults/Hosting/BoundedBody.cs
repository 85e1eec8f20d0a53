using Microsoft.AspNetCore.Http;

namespace VoiceMesh.ServiceDefaults;

/// <summary>Reads a request body whole, up to a limit, so an oversized one is refused without being held.</summary>
public static class BoundedBody
{
    /// <summary>
    /// The request's body, or null when it declares or turns out to be longer than <paramref name="limit"/> bytes
    /// (reading stops there).
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
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
