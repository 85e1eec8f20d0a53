using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Playback;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Protocol;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>
/// One Media Streams WebSocket: reads Twilio's messages, counts each track's frames as they arrive, and hands media to
/// the stream's <see cref="FrameProcessing"/> (at once when it is free, else through a bounded channel that drops the
/// oldest frame, counted, when processing falls behind). Malformed and unknown messages are counted and skipped; media or DTMF before <c>start</c>, an invalid
/// <c>start</c> and an oversized message close the connection with a reason. Whatever ends it, the stream's
/// <see cref="StreamClosed"/> is stored with its statistics and the registry forgets it.
/// </summary>
internal sealed partial class MediaStreamConnection(
    WebSocket socket,
    MediaStreamsOptions options,
    StreamRegistry registry,
    StreamCommands commands,
    IEnumerable<IMediaProcessorFactory> processorFactories,
    MediaStreamsMetrics metrics,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<MediaStreamConnection> logger) : IDisposable
{
    private readonly TrackCounters[] _counters = [new(MediaTrack.Inbound), new(MediaTrack.Outbound)];
    private readonly TimedSender _sender = new(socket, options.SendTimeout, clock);
    private StreamPlayer? _player;
    private StreamEventWriter? _events;
    private FrameProcessing? _processing;
    private StreamContext? _stream;
    private string? _accountSid;
    private long _malformed;

    public void Dispose()
    {
        _sender.Dispose();
        _player?.Dispose();
        _processing?.Dispose();
    }

    public async Task Run(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(options.MaxMessageBytes);
        var reason = CloseReason.Closed;
        registry.Connected();
        try
        {
            reason = await Receive(buffer, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            reason = CloseReason.Dropped;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await Finish(reason);
            registry.Disconnected();
        }
    }

    private async Task<CloseReason> Receive(byte[] buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (count == buffer.Length)
                {
                    return await Refuse(WebSocketCloseStatus.MessageTooBig, $"messages are at most {options.MaxMessageBytes} bytes", CloseReason.ProtocolError);
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
                count += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                await CloseQuietly(WebSocketCloseStatus.NormalClosure, "closed");
                return CloseReason.Closed;
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                Malformed("binary message");
                continue;
            }

            var message = buffer.AsMemory(0, count);
            switch (InboundParser.Read(message.Span, clock.GetTimestamp(), out var frame))
            {
                case InboundEvent.Connected:
                    break;
                case InboundEvent.Mark:
                    await Mark(message);
                    break;
                case InboundEvent.Start when _stream is not null:
                    Malformed("second start");
                    break;
                case InboundEvent.Start:
                    if (await Start(message) is { } refused)
                    {
                        return refused;
                    }

                    break;
                case InboundEvent.Media when _stream is null:
                    frame.Release();
                    return await Refuse(WebSocketCloseStatus.PolicyViolation, "media before start", CloseReason.ProtocolError);
                case InboundEvent.Media:
                    await Arrived(frame);
                    break;
                case InboundEvent.Dtmf when _stream is null:
                    return await Refuse(WebSocketCloseStatus.PolicyViolation, "dtmf before start", CloseReason.ProtocolError);
                case InboundEvent.Dtmf:
                    await Dtmf(message, cancellationToken);
                    break;
                case InboundEvent.Stop:
                    await CloseQuietly(WebSocketCloseStatus.NormalClosure, "stopped");
                    return CloseReason.Stopped;
                case InboundEvent.Unknown:
                    Malformed("unknown event");
                    break;
                default:
                    Malformed("malformed JSON");
                    break;
            }
        }
    }

    /// <summary>Opens the stream, or closes the connection and returns why.</summary>
    private async Task<CloseReason?> Start(ReadOnlyMemory<byte> message)
    {
        StartMessage? start;
        try
        {
            start = JsonSerializer.Deserialize(message.Span, MediaStreamJson.Default.StartMessage);
        }
        catch (JsonException)
        {
            start = null;
        }

        if (Validate(start) is { } problem)
        {
            return await Refuse(WebSocketCloseStatus.PolicyViolation, problem, CloseReason.ProtocolError);
        }

        var payload = start!.Start!;
        var streamSid = start.StreamSid ?? payload.StreamSid!;
        var tracks = payload.Tracks!.Select(t => MediaTrackWire.TryParse(t, out var track) ? track : default).Distinct().Order().ToList();
        var parameters = payload.CustomParameters ?? new Dictionary<string, string>();
        _stream = new StreamContext(streamSid, payload.CallSid!, tracks, parameters);
        _accountSid = payload.AccountSid!;
        _events = new StreamEventWriter(
            streamSid,
            (messageId, observed) => commands.Execute<StreamLifecycle>(streamSid, messageId, stream => StreamLifecycle.Decide(stream, observed), CancellationToken.None),
            clock,
            logger,
            lifetime.ApplicationStopping);
        if (!registry.TryStart(streamSid, Identity(_stream)))
        {
            LogDuplicate(streamSid, payload.CallSid!);
            return await Refuse(WebSocketCloseStatus.PolicyViolation, "a stream with the same call, tracks and parameters is open", CloseReason.Duplicate);
        }

        await _events.Append(new StreamOpened(streamSid, payload.CallSid!, _accountSid, tracks, parameters, clock.GetUtcNow()), CancellationToken.None);
        _player = new StreamPlayer(streamSid, Send, e => _events.Append(e, CancellationToken.None).AsTask(), InboundNow, clock);
        registry.Attach(streamSid, _player);
        _processing = new FrameProcessing(
            _stream,
            processorFactories,
            options.FrameBuffer,
            dropped =>
            {
                _counters[(int)dropped.Track].Dropped();
                metrics.Dropped();
            },
            _events,
            _player,
            metrics,
            clock);
        var trackList = string.Join(',', payload.Tracks!);
        LogStarted(streamSid, payload.CallSid!, trackList);
        return null;
    }

    private static string? Validate(StartMessage? start)
    {
        if (start?.Start is not { } payload)
        {
            return "start has no start object";
        }

        if (!StreamSids.IsValid(start.StreamSid ?? payload.StreamSid))
        {
            return StreamSids.Description;
        }

        if (!CallSids.IsValid(payload.CallSid))
        {
            return CallSids.Description;
        }

        if (string.IsNullOrEmpty(payload.AccountSid))
        {
            return "start.accountSid is required";
        }

        if (payload.Tracks is not { Count: > 0 } tracks || tracks.Any(t => !MediaTrackWire.TryParse(t, out _)))
        {
            return "start.tracks must list inbound and/or outbound";
        }

        return payload.MediaFormat is { Encoding: "audio/x-mulaw", SampleRate: 8000, Channels: 1 }
            ? null
            : "start.mediaFormat must be audio/x-mulaw, 8000 Hz, 1 channel";
    }

    private static string Identity(StreamContext stream) =>
        string.Join('|', [stream.CallSid, string.Join(',', stream.Tracks), .. stream.CustomParameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)]);

    /// <summary>The caller's media time now: the last inbound timestamp plus the time since its frame arrived.</summary>
    private double InboundNow()
    {
        var inbound = _counters[(int)MediaTrack.Inbound];
        return inbound.LastTimestampMs + (clock.GetElapsedTime(0).TotalMilliseconds - inbound.LastArrivalMs);
    }

    private ValueTask Arrived(MediaFrame frame)
    {
        metrics.Frame();
        _counters[(int)frame.Track].Arrived(frame.Chunk, frame.TimestampMs, frame.Length, clock.GetElapsedTime(0, frame.ArrivalTimestamp).TotalMilliseconds);
        return _processing!.Arrived(frame);
    }

    private async Task Dtmf(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        DtmfMessage? dtmf;
        try
        {
            dtmf = JsonSerializer.Deserialize(message.Span, MediaStreamJson.Default.DtmfMessage);
        }
        catch (JsonException)
        {
            dtmf = null;
        }

        if (dtmf?.Dtmf is not { Digit: { Length: 1 } digit } || !"0123456789*#ABCDw".Contains(digit[0], StringComparison.Ordinal))
        {
            Malformed("dtmf without a digit");
            return;
        }

        var track = dtmf.Dtmf.Track == MediaTrack.Outbound.ToDtmfWire() ? MediaTrack.Outbound : MediaTrack.Inbound;
        await _events!.Append(new DigitPressed(_stream!.StreamSid, track, digit, _counters[(int)track].LastTimestampMs, clock.GetUtcNow()), cancellationToken);
    }

    private async Task Mark(ReadOnlyMemory<byte> message)
    {
        MarkMessage? mark;
        try
        {
            mark = JsonSerializer.Deserialize(message.Span, MediaStreamJson.Default.MarkMessage);
        }
        catch (JsonException)
        {
            mark = null;
        }

        if (mark?.Mark?.Name is not { } name || _player is null)
        {
            Malformed("mark without a name, or before start");
            return;
        }

        await _player.MarkEchoed(name);
    }

    private async Task Send(ReadOnlyMemory<byte> message)
    {
        try
        {
            await _sender.Send(message);
        }
        catch (OperationCanceledException)
        {
            LogSendTimedOut(_stream?.StreamSid);
            throw;
        }
    }

    private async Task Finish(CloseReason reason)
    {
        if (_processing is not null)
        {
            await _processing.Complete();
            await _player!.Stop();
        }

        if (_stream is not null && _events is not null)
        {
            var tracks = _stream.Tracks.Select(t => _counters[(int)t].Snapshot()).ToList();
            await _events.Append(new StreamClosed(_stream.StreamSid, _stream.CallSid, reason, tracks, Interlocked.Read(ref _malformed), clock.GetUtcNow()), CancellationToken.None);
            await _events.Complete();
            if (reason != CloseReason.Duplicate)
            {
                registry.End(_stream.StreamSid);
            }

            var (wire, frames, dropped) = (reason.ToWire(), tracks.Sum(t => t.Frames), tracks.Sum(t => t.DroppedFrames));
            LogEnded(_stream.StreamSid, wire, frames, dropped, _malformed);
        }

        socket.Abort();
        socket.Dispose();
    }

    private async Task<CloseReason> Refuse(WebSocketCloseStatus status, string description, CloseReason reason)
    {
        LogRefused(_stream?.StreamSid, description);
        await CloseQuietly(status, description);
        return reason;
    }

    /// <summary>Closes with a reason, waiting at most <see cref="MediaStreamsOptions.SendTimeout"/> for the peer's close.</summary>
    private Task CloseQuietly(WebSocketCloseStatus status, string description) => _sender.Close(status, description);

    private void Malformed(string what)
    {
        metrics.Malformed();
        if (Interlocked.Increment(ref _malformed) == 1)
        {
            LogMalformed(_stream?.StreamSid, what);
        }
        else
        {
            LogMalformedAgain(_stream?.StreamSid, what);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamSid} did not take a message in time; connection cut")]
    private partial void LogSendTimedOut(string? streamSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamSid} of call {CallSid} started ({Tracks})")]
    private partial void LogStarted(string streamSid, string callSid, string tracks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamSid} ended: {Reason}, {Frames} frames, {Dropped} dropped, {Malformed} malformed")]
    private partial void LogEnded(string streamSid, string reason, long frames, long dropped, long malformed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed media stream {StreamSid}: {Reason}")]
    private partial void LogRefused(string? streamSid, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamSid} of call {CallSid} is a duplicate of an open one; closed")]
    private partial void LogDuplicate(string streamSid, string callSid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a message on stream {StreamSid}: {What} (further ones are logged at Debug)")]
    private partial void LogMalformed(string? streamSid, string what);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped a message on stream {StreamSid}: {What}")]
    private partial void LogMalformedAgain(string? streamSid, string what);
}
