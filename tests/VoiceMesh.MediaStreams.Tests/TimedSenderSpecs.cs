using System.Net.WebSockets;
using Microsoft.Extensions.Time.Testing;
using VoiceMesh.MediaStreams.Streaming;

namespace VoiceMesh.MediaStreams.Tests;

public sealed class TimedSenderSpecs
{
    /// <summary>A peer that never reads: every send waits until it is cancelled.</summary>
    private sealed class StalledSocket : WebSocket
    {
        public bool Aborted { get; private set; }

        public override WebSocketCloseStatus? CloseStatus => null;
        public override string? CloseStatusDescription => null;
        public override WebSocketState State => Aborted ? WebSocketState.Aborted : WebSocketState.Open;
        public override string? SubProtocol => null;

        public override void Abort() => Aborted = true;

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            Task.Delay(Timeout.Infinite, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            Task.Delay(Timeout.Infinite, cancellationToken);

        public override void Dispose()
        {
        }

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
            Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => new WebSocketReceiveResult(0, WebSocketMessageType.Close, true), TaskScheduler.Default);

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            Task.Delay(Timeout.Infinite, cancellationToken);
    }

    [Fact]
    public async Task A_peer_that_stops_reading_is_cut_off_after_the_send_timeout()
    {
        var clock = new FakeTimeProvider();
        var socket = new StalledSocket();
        using var sender = new TimedSender(socket, TimeSpan.FromSeconds(5), clock);

        var sending = sender.Send(new byte[] { 1 });
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(sending.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        Assert.True(socket.Aborted);
    }

    [Fact]
    public async Task A_close_the_peer_never_answers_is_cut_off_after_the_timeout()
    {
        var clock = new FakeTimeProvider();
        var socket = new StalledSocket();
        using var sender = new TimedSender(socket, TimeSpan.FromSeconds(2), clock);

        var closing = sender.Close(WebSocketCloseStatus.PolicyViolation, "media before start");
        clock.Advance(TimeSpan.FromSeconds(2));

        await closing;
        Assert.True(socket.Aborted);
    }
}
