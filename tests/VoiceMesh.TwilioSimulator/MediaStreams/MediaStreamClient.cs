using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.MediaStreams;

/// <summary>Who the simulated stream is and where it goes.</summary>
public sealed record MediaStreamTarget
{
    /// <summary>The <c>&lt;Stream url&gt;</c>, the <c>wss://</c> URL Twilio signs.</summary>
    public required string StreamUrl { get; init; }

    /// <summary>Where the WebSocket really connects (e.g. <c>ws://127.0.0.1:PORT/twilio/media</c>, the gateway); the stream URL when null.</summary>
    public Uri? ConnectTo { get; init; }

    public required string AuthToken { get; init; }
    public required string AccountSid { get; init; }
    public required string CallSid { get; init; }
    public string StreamSid { get; init; } = "MZ" + Guid.NewGuid().ToString("N");
    public IReadOnlyList<string> Tracks { get; init; } = ["inbound"];
    public IReadOnlyDictionary<string, string> CustomParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Send frames every 20 ms of real time (Twilio's pace); false sends them as fast as the socket takes them.</summary>
    public bool Paced { get; init; } = true;

    /// <summary>After the script: send <c>stop</c> and close (a <c>&lt;Start&gt;</c> stream whose call ends), or wait for the server to close (<c>&lt;Connect&gt;</c>).</summary>
    public bool StopAtEnd { get; init; } = true;

    /// <summary>How long to wait for the server to close a <c>&lt;Connect&gt;</c> stream once the script is sent.</summary>
    public TimeSpan ServerCloseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Break the connection (no close handshake) after this many frames, as a network failure would.</summary>
    public int? DropAfterFrames { get; init; }

    /// <summary>After the script, keep sending silence until the stream is ended (a call's stream lasts as long as the call).</summary>
    public bool HoldOpen { get; init; }
}

/// <summary>An audio frame the server sent, when it arrived (since the stream started) and how many mu-law bytes it had.</summary>
public sealed record ReceivedFrame(TimeSpan At, int Bytes);

/// <summary>A mark echoed back, when, and whether a <c>clear</c> returned it before its audio played.</summary>
public sealed record EchoedMark(string Name, TimeSpan At, bool Cleared);

/// <summary>A <c>clear</c>, when it came and how many queued frames it flushed.</summary>
public sealed record ClearReceived(TimeSpan At, int FlushedFrames);

/// <summary>What one simulated stream sent and received.</summary>
public sealed class MediaStreamRun
{
    public required string StreamSid { get; init; }
    public int SentFrames { get; internal set; }
    public List<ReceivedFrame> Received { get; } = [];

    /// <summary>Received frames played out at 20 ms each, in order, up to a clear.</summary>
    public int PlayedFrames { get; internal set; }

    public List<EchoedMark> Marks { get; } = [];
    public List<ClearReceived> Clears { get; } = [];
    public WebSocketCloseStatus? CloseStatus { get; internal set; }
    public string? CloseDescription { get; internal set; }
    public bool Dropped { get; internal set; }

    /// <summary>When the first frame after a <see cref="WaitForPlayback"/> was sent (since the stream started).</summary>
    public TimeSpan? ResumedAt { get; internal set; }
}

/// <summary>
/// Twilio's side of a Media Stream: opens the WebSocket with <c>X-Twilio-Signature</c> over the <c>wss://</c> URL,
/// sends <c>connected</c>, <c>start</c>, then the script's frames paced at 20 ms (and its digits as <c>dtmf</c>), then
/// <c>stop</c>. Audio the server sends is queued and played out at 20 ms a frame; a <c>mark</c> is echoed once the
/// audio queued before it has played, a <c>clear</c> flushes the queue and echoes pending marks at once.
/// </summary>
public static class MediaStreamClient
{
    /// <summary>
    /// Runs one stream. <paramref name="end"/> is Twilio ending it (the call ended, or a stop through REST): no more frames,
    /// then <c>stop</c> and the close; <paramref name="cancellationToken"/> abandons it.
    /// </summary>
    /// <summary>How long a dropped connection's last frames have to reach the server before the connection breaks.</summary>
    private static readonly TimeSpan DropPause = TimeSpan.FromMilliseconds(250);

    public static async Task<MediaStreamRun> Run(
        MediaStreamTarget target, AudioScript script, CancellationToken cancellationToken, CancellationToken end = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(script);
        var run = new MediaStreamRun { StreamSid = target.StreamSid };
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Twilio-Signature", WebhookSigner.Sign(target.AuthToken, target.StreamUrl, []));
        await socket.ConnectAsync(target.ConnectTo ?? new Uri(target.StreamUrl), cancellationToken);
        var clock = Stopwatch.StartNew();
        var player = new Player(socket, target.StreamSid, run, clock);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var send = new SemaphoreSlim(1);
        player.Send = async (json, ct) =>
        {
            await send.WaitAsync(ct);
            try
            {
                await socket.SendAsync(json, WebSocketMessageType.Text, true, ct);
            }
            finally
            {
                send.Release();
            }
        };
        var receiving = Receive(socket, player, run, clock, stopping.Token);
        var playing = player.Play(stopping.Token);
        var sequence = 0;

        try
        {
            await player.Send(Json(w => w.WriteString("protocol", "Call"), "connected", null, ref sequence), cancellationToken);
            await player.Send(Start(target, ref sequence), cancellationToken);
            var chunk = 0;
            var silence = new byte[AudioScript.FrameBytes];
            Array.Fill(silence, (byte)0xFF);
            using var frames = (target.HoldOpen ? HeldOpen(script, silence) : script.Frames()).GetEnumerator();
            var more = frames.MoveNext();
            var resuming = false;
            using var pacing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, end);
            while (more && !end.IsCancellationRequested && !receiving.IsCompleted)
            {
                var frame = frames.Current;
                var waiting = false;
                if (frame.WaitForPlaybackMs is { } waitMs)
                {
                    var firstHeard = player.FirstReceivedAt;
                    if (firstHeard is null || clock.Elapsed < firstHeard.Value + TimeSpan.FromMilliseconds(waitMs) - TimeSpan.FromMilliseconds(AudioScript.FrameMilliseconds))
                    {
                        frame = new ScriptFrame(silence, null, waitMs);
                        waiting = true;
                    }
                    else
                    {
                        resuming = true;
                        more = frames.MoveNext();
                        continue;
                    }
                }

                if (frame.Digit is { } digit)
                {
                    var text = digit.ToString();
                    await player.Send(Json(w => Object(w, "dtmf", () => { w.WriteString("track", "inbound_track"); w.WriteString("digit", text); }), "dtmf", target.StreamSid, ref sequence), cancellationToken);
                    more = frames.MoveNext();
                    continue;
                }

                if (target.DropAfterFrames == chunk)
                {
                    // The network fails a moment after the last frame went out: a reset arriving with frames still
                    // unread would make the server's kernel discard them, and the count would depend on scheduling.
                    await Task.Delay(DropPause, cancellationToken);
                    socket.Abort();
                    run.Dropped = true;
                    return run;
                }

                if (target.Paced)
                {
                    var wait = TimeSpan.FromMilliseconds(chunk * AudioScript.FrameMilliseconds) - clock.Elapsed;
                    if (wait > TimeSpan.Zero && !await Paced(wait, pacing.Token, end))
                    {
                        break;
                    }
                }

                chunk++;
                var timestamp = (chunk - 1) * AudioScript.FrameMilliseconds;
                var payload = Convert.ToBase64String(frame.MuLaw!);
                await player.Send(Json(w => Object(w, "media", () =>
                {
                    w.WriteString("track", "inbound");
                    w.WriteString("chunk", chunk.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteString("timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteString("payload", payload);
                }), "media", target.StreamSid, ref sequence), cancellationToken);
                run.SentFrames = chunk;
                if (resuming)
                {
                    run.ResumedAt = clock.Elapsed;
                    resuming = false;
                }

                if (!waiting)
                {
                    more = frames.MoveNext();
                }
            }

            if (target.StopAtEnd || end.IsCancellationRequested)
            {
                await player.Send(Json(w => Object(w, "stop", () => { w.WriteString("accountSid", target.AccountSid); w.WriteString("callSid", target.CallSid); }), "stop", target.StreamSid, ref sequence), cancellationToken);
                using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                closing.CancelAfter(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "stopped", closing.Token);
            }

            await receiving.WaitAsync(target.StopAtEnd ? TimeSpan.FromSeconds(5) : target.ServerCloseTimeout, cancellationToken);
            return run;
        }
        catch (WebSocketException)
        {
            return run;
        }
        finally
        {
            await stopping.CancelAsync();
            await Task.WhenAll(Quietly(receiving), Quietly(playing));
            socket.Abort();
        }
    }

    /// <summary>Waits out one frame's pace; false when the stream was ended meanwhile.</summary>
    private static async Task<bool> Paced(TimeSpan delay, CancellationToken pacing, CancellationToken end)
    {
        try
        {
            await Task.Delay(delay, pacing);
            return true;
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
            return false;
        }
    }

    private static IEnumerable<ScriptFrame> HeldOpen(AudioScript script, byte[] silence)
    {
        foreach (var frame in script.Frames())
        {
            yield return frame;
        }

        while (true)
        {
            yield return new ScriptFrame(silence, null);
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            return;
        }
    }

    private static async Task Receive(ClientWebSocket socket, Player player, MediaStreamRun run, Stopwatch clock, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var count = 0;
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), cancellationToken);
                count += result.Count;
            }
            while (!result.EndOfMessage && count < buffer.Length);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                run.CloseStatus = result.CloseStatus;
                run.CloseDescription = result.CloseStatusDescription;
                return;
            }

            using var message = JsonDocument.Parse(buffer.AsMemory(0, count));
            var root = message.RootElement;
            switch (root.GetProperty("event").GetString())
            {
                case "media":
                    var bytes = Convert.FromBase64String(root.GetProperty("media").GetProperty("payload").GetString()!).Length;
                    player.Enqueue(new ReceivedFrame(clock.Elapsed, bytes));
                    break;
                case "mark":
                    await player.Mark(root.GetProperty("mark").GetProperty("name").GetString()!, cancellationToken);
                    break;
                case "clear":
                    await player.Clear(cancellationToken);
                    break;
            }
        }
    }

    private static ReadOnlyMemory<byte> Start(MediaStreamTarget target, ref int sequence) => Json(w =>
        Object(w, "start", () =>
        {
            w.WriteString("accountSid", target.AccountSid);
            w.WriteString("streamSid", target.StreamSid);
            w.WriteString("callSid", target.CallSid);
            w.WriteStartArray("tracks");
            foreach (var track in target.Tracks)
            {
                w.WriteStringValue(track);
            }

            w.WriteEndArray();
            w.WriteStartObject("mediaFormat");
            w.WriteString("encoding", "audio/x-mulaw");
            w.WriteNumber("sampleRate", 8000);
            w.WriteNumber("channels", 1);
            w.WriteEndObject();
            w.WriteStartObject("customParameters");
            foreach (var (name, value) in target.CustomParameters)
            {
                w.WriteString(name, value);
            }

            w.WriteEndObject();
        }), "start", target.StreamSid, ref sequence);

    private static void Object(Utf8JsonWriter writer, string name, Action body)
    {
        writer.WriteStartObject(name);
        body();
        writer.WriteEndObject();
    }

    private static ReadOnlyMemory<byte> Json(Action<Utf8JsonWriter> body, string @event, string? streamSid, ref int sequence)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event", @event);
            if (streamSid is not null)
            {
                writer.WriteString("sequenceNumber", (++sequence).ToString(System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteString("streamSid", streamSid);
            }
            else
            {
                writer.WriteString("version", "1.0.0");
            }

            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Plays received audio out at 20 ms a frame and echoes marks when their audio has played.</summary>
    private sealed class Player(ClientWebSocket socket, string streamSid, MediaStreamRun run, Stopwatch clock)
    {
        private readonly Lock _gate = new();
        private readonly Queue<(ReceivedFrame? Frame, string? Mark)> _queue = new();
        private int _sequence = 100_000;

        /// <summary>When the first audio from the server arrived.</summary>
        public TimeSpan? FirstReceivedAt { get; private set; }

        public Func<ReadOnlyMemory<byte>, CancellationToken, Task> Send { get; set; } = (_, _) => Task.CompletedTask;

        public void Enqueue(ReceivedFrame frame)
        {
            lock (_gate)
            {
                run.Received.Add(frame);
                FirstReceivedAt ??= frame.At;
                _queue.Enqueue((frame, null));
            }
        }

        /// <summary>A mark: echoed once the audio queued before it has played, at once when nothing is queued.</summary>
        public async Task Mark(string name, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (_queue.Count > 0)
                {
                    _queue.Enqueue((null, name));
                    return;
                }
            }

            await Echo(name, cleared: false, cancellationToken);
        }

        public async Task Clear(CancellationToken cancellationToken)
        {
            List<string> pending;
            lock (_gate)
            {
                run.Clears.Add(new ClearReceived(clock.Elapsed, _queue.Count(q => q.Frame is not null)));
                pending = [.. _queue.Where(q => q.Mark is not null).Select(q => q.Mark!)];
                _queue.Clear();
            }

            foreach (var name in pending)
            {
                await Echo(name, cleared: true, cancellationToken);
            }
        }

        public async Task Play(CancellationToken cancellationToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(AudioScript.FrameMilliseconds));
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                List<string> marks = [];
                lock (_gate)
                {
                    while (_queue.TryPeek(out var head) && head.Mark is not null)
                    {
                        marks.Add(_queue.Dequeue().Mark!);
                    }

                    if (_queue.TryDequeue(out var played) && played.Frame is not null)
                    {
                        run.PlayedFrames++;
                    }

                    while (_queue.TryPeek(out var next) && next.Mark is not null)
                    {
                        marks.Add(_queue.Dequeue().Mark!);
                    }
                }

                foreach (var name in marks)
                {
                    await Echo(name, cleared: false, cancellationToken);
                }
            }
        }

        private async Task Echo(string name, bool cleared, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                run.Marks.Add(new EchoedMark(name, clock.Elapsed, cleared));
            }

            if (socket.State != WebSocketState.Open)
            {
                return;
            }

            var sequence = Interlocked.Increment(ref _sequence);
            await Send(Json(w => Object(w, "mark", () => w.WriteString("name", name)), "mark", streamSid, ref sequence), cancellationToken);
        }
    }
}
