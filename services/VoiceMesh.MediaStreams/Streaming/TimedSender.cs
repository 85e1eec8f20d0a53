using System.Buffers;
using System.Net.WebSockets;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>
/// Sends to Twilio one message at a time. A send or close the peer does not take within the timeout (it stopped
/// reading, or vanished) aborts the socket, so the connection's receive loop ends the stream; nothing waits forever and
/// nothing queues without bound.
/// </summary>
internal sealed class TimedSender(WebSocket socket, TimeSpan timeout, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1);

    /// <summary>Sends one text message; throws <see cref="OperationCanceledException"/> once it timed out and the socket was aborted.</summary>
    public async Task Send(ReadOnlyMemory<byte> message)
    {
        using var deadline = new CancellationTokenSource(timeout, clock);
        try
        {
            await _one.WaitAsync(deadline.Token);
            try
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, true, deadline.Token);
            }
            finally
            {
                _one.Release();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            socket.Abort();
            throw;
        }
    }

    /// <summary>
    /// Closes with a reason and waits for the peer's close (skipping what it still sends) within the timeout; a peer
    /// that does not answer is cut off.
    /// </summary>
    public async Task Close(WebSocketCloseStatus status, string description)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var deadline = new CancellationTokenSource(timeout, clock);
        var drain = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            await _one.WaitAsync(deadline.Token);
            try
            {
                await socket.CloseOutputAsync(status, description, deadline.Token);
            }
            finally
            {
                _one.Release();
            }

            while (socket.State == WebSocketState.CloseSent
                && (await socket.ReceiveAsync(drain.AsMemory(), deadline.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            socket.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(drain);
        }
    }

    public void Dispose() => _one.Dispose();
}
