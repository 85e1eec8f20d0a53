using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>
/// Answers <c>GET …/Recordings/{sid}.wav</c>: the media of a completed recording, generated while it is sent (any size,
/// no memory), with <c>Content-Length</c>, at the recording's <see cref="RecordingMediaSettings.BytesPerSecond"/> and
/// with its <see cref="MediaFault"/>; 404 (20404) for a recording that is unknown, deleted or not completed yet.
/// Every answer goes into the <see cref="MediaDownloadLog"/>.
/// </summary>
internal sealed class RecordingMediaServer(RecordingStore store, MediaDownloadLog log, VirtualScheduler scheduler)
{
    /// <summary>How much longer or shorter than its header a mismatched body is.</summary>
    private const int MismatchBytes = 4096;

    private const int ChunkSize = 64 * 1024;

    private static readonly byte[] ErrorPage = Encoding.UTF8.GetBytes(
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
        + "<body><h1>Bad Gateway</h1><p>The server returned an invalid or incomplete response.</p></body></html>\n");

    public async Task ServeAsync(HttpContext context, string accountSid, string sid)
    {
        var time = scheduler.Now;
        WavAudio? audio = null;
        MediaFaultKind? fault = null;
        long? rate = null;
        if (store.Find(accountSid, sid) is { } recording)
        {
            lock (recording.Gate)
            {
                if (recording.Status == SimRecording.Completed)
                {
                    fault = recording.TakeFault();
                    audio = recording.Audio;
                    rate = recording.Media.BytesPerSecond;
                }
            }
        }

        if (audio is null || fault == MediaFaultKind.NotFound)
        {
            var id = log.Start(sid, time, fault, StatusCodes.Status404NotFound, null);
            await TwilioError.NotFound(context.Request.Path).ToResult().ExecuteAsync(context).ConfigureAwait(false);
            log.Update(id, d => d with { Outcome = MediaDownloadOutcome.Completed });
            return;
        }

        if (fault == MediaFaultKind.Html)
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await SendAsync(context, sid, time, fault, ErrorPage.Length, (offset, span) => ErrorPage.AsSpan((int)offset, span.Length).CopyTo(span), rate, ErrorPage.Length)
                .ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "audio/x-wav";
        var length = fault switch
        {
            MediaFaultKind.LongerThanHeader => audio.Length + MismatchBytes,
            MediaFaultKind.ShorterThanHeader => Math.Max(WavAudio.HeaderLength, audio.Length - MismatchBytes),
            _ => audio.Length,
        };
        var sent = fault == MediaFaultKind.Truncated ? length / 2 : length;
        await SendAsync(context, sid, time, fault, length, audio.Fill, rate, sent).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="send"/> of the <paramref name="length"/> bytes <c>Content-Length</c> announces, in chunks
    /// paced to <paramref name="rate"/>. Sending fewer than announced says <c>Connection: close</c>, and Kestrel then
    /// closes the connection (FIN, not a reset) after the last byte sent: the client reads a truncated body.
    /// </summary>
    private async Task SendAsync(
        HttpContext context, string sid, DateTimeOffset time, MediaFaultKind? fault, long length, Action<long, Span<byte>> fill, long? rate, long send)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = length;
        if (send < length)
        {
            context.Response.Headers.Connection = "close";
        }

        var id = log.Start(sid, time, fault, StatusCodes.Status200OK, length);
        var chunkSize = rate is { } bytesPerSecond ? (int)Math.Clamp(bytesPerSecond / 50, 1, ChunkSize) : ChunkSize;
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var started = Stopwatch.GetTimestamp();
        var aborted = context.RequestAborted;
        long sent = 0;
        try
        {
            while (sent < send && !aborted.IsCancellationRequested)
            {
                var chunk = buffer.AsMemory(0, (int)Math.Min(chunkSize, send - sent));
                fill(sent, chunk.Span);
                await context.Response.Body.WriteAsync(chunk, aborted).ConfigureAwait(false);
                hash.AppendData(chunk.Span);
                sent += chunk.Length;
                var total = sent;
                log.Update(id, d => d with { BytesSent = total });
                if (rate is { } pace && TimeSpan.FromSeconds((double)sent / pace) - Stopwatch.GetElapsedTime(started) is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait, TimeProvider.System, aborted).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var outcome = sent < send || aborted.IsCancellationRequested ? MediaDownloadOutcome.Aborted
            : sent < length ? MediaDownloadOutcome.Truncated
            : MediaDownloadOutcome.Completed;
        var digest = Convert.ToHexStringLower(hash.GetHashAndReset());
        log.Update(id, d => d with { Outcome = outcome, Sha256 = digest });
    }
}
