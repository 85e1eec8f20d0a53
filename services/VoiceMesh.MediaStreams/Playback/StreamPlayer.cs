using System.Text.Json;
using System.Threading.Channels;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Playback;

/// <summary>
/// Plays clips to the caller on one stream: each clip's 20 ms frames are sent paced in real time, then a <c>mark</c>
/// named after the clip; Twilio's echo of that mark is <see cref="ClipPlayed"/>. <see cref="Interrupt"/> (StopAudio, or
/// speech while a barge-in clip plays) stops the pacing, drops what is queued, sends <c>clear</c> and reports
/// <see cref="ClipInterrupted"/> with how much had played: the frames sent, capped by the real time since the first.
/// For a barge-in it also reports how much the caller had heard when they started speaking, in the caller's own media
/// time: the clip began for the caller at the inbound timestamp current when its first frame left, plus the round trip
/// that a <c>mark</c> sent just before the clip measures (Twilio echoes a mark at once when nothing is queued).
/// </summary>
internal sealed class StreamPlayer : IDisposable
{
    private const int FrameBytes = 160;
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    private readonly Lock _gate = new();
    private readonly Channel<Clip> _queue = Channel.CreateBounded<Clip>(new BoundedChannelOptions(32) { SingleReader = true });
    private readonly Dictionary<string, Clip> _awaitingMark = new(StringComparer.Ordinal);
    private readonly string _streamSid;
    private readonly Func<ReadOnlyMemory<byte>, Task> _send;
    private readonly Func<object, Task> _observe;
    private readonly Func<double> _inboundTimestamp;
    private readonly TimeProvider _clock;
    private readonly Task _playing;
    private Clip? _current;
    private long _framesSent;
    private long _startedAt;
    private double _inboundAtStart;
    private string? _startMark;
    private long _startMarkSentAt;
    private double _roundTripMs;
    private CancellationTokenSource _cut = new();

    public StreamPlayer(string streamSid, Func<ReadOnlyMemory<byte>, Task> send, Func<object, Task> observe, Func<double> inboundTimestamp, TimeProvider clock)
    {
        _streamSid = streamSid;
        _send = send;
        _observe = observe;
        _inboundTimestamp = inboundTimestamp;
        _clock = clock;
        _playing = Task.Run(Play);
    }

    /// <summary>Queues a clip; false when 32 are queued already.</summary>
    public bool Enqueue(Clip clip) => _queue.Writer.TryWrite(clip);

    /// <summary>Speech began on the inbound track at <paramref name="offsetMs"/>: interrupts a barge-in clip.</summary>
    public Task SpeechBegan(long offsetMs)
    {
        lock (_gate)
        {
            if (_current is not { BargeIn: true })
            {
                return Task.CompletedTask;
            }
        }

        return Interrupt(InterruptReason.BargeIn, offsetMs);
    }

    /// <summary>Stops what plays, drops what is queued and sends <c>clear</c>; reports the clip that was playing.</summary>
    public async Task Interrupt(InterruptReason reason, long? speechOffsetMs)
    {
        Clip? clip;
        long played;
        double clipStartMs;
        lock (_gate)
        {
            clip = _current;
            played = Math.Min(_framesSent * 20, (long)_clock.GetElapsedTime(_startedAt).TotalMilliseconds);
            clipStartMs = _inboundAtStart + _roundTripMs;
            _current = null;
            _awaitingMark.Clear();
            _cut.Cancel();
            while (_queue.Reader.TryRead(out _))
            {
            }
        }

        await _send(JsonSerializer.SerializeToUtf8Bytes(new ClearMessage("clear", _streamSid), MediaStreamJson.Default.ClearMessage));
        if (clip is not null)
        {
            long? atSpeech = speechOffsetMs is { } offset ? Math.Clamp((long)Math.Round(offset - clipStartMs), 0, clip.DurationMs) : null;
            await _observe(new ClipInterrupted(_streamSid, clip.Id, reason, played, atSpeech, _clock.GetUtcNow()));
        }
    }

    /// <summary>Twilio echoed a mark: the clip it names has played.</summary>
    public async Task MarkEchoed(string? name)
    {
        Clip? clip;
        lock (_gate)
        {
            if (name is not null && name == _startMark)
            {
                _roundTripMs = _clock.GetElapsedTime(_startMarkSentAt).TotalMilliseconds;
                _startMark = null;
                return;
            }

            if (name is null || !_awaitingMark.Remove(name, out clip))
            {
                return;
            }
        }

        await _observe(new ClipPlayed(_streamSid, clip.Id, clip.DurationMs, _clock.GetUtcNow()));
    }

    /// <summary>Ends playback: nothing more is sent.</summary>
    public Task Stop()
    {
        _queue.Writer.TryComplete();
        lock (_gate)
        {
            _cut.Cancel();
        }

        return _playing;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _cut.Dispose();
        }
    }

    private async Task Play()
    {
        try
        {
            await PlayQueued();
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection ended while a clip played; its end is the connection's to report.
            _queue.Writer.TryComplete();
        }
    }

    private async Task PlayQueued()
    {
        await foreach (var clip in _queue.Reader.ReadAllAsync())
        {
            CancellationToken cut;
            lock (_gate)
            {
                _cut.Dispose();
                _cut = new CancellationTokenSource();
                cut = _cut.Token;
                _current = clip;
                _framesSent = 0;
                _startMark = clip.Id + "#start";
                _roundTripMs = 0;
                _startMarkSentAt = _clock.GetTimestamp();
            }

            try
            {
                await _send(JsonSerializer.SerializeToUtf8Bytes(new MarkMessage("mark", _streamSid, new MarkPayload(_startMark)), MediaStreamJson.Default.MarkMessage));
                lock (_gate)
                {
                    _startedAt = _clock.GetTimestamp();
                    _inboundAtStart = _inboundTimestamp();
                }

                var frames = (clip.MuLaw.Length + FrameBytes - 1) / FrameBytes;
                for (var i = 0; i < frames; i++)
                {
                    var wait = (Frame * i) - _clock.GetElapsedTime(_startedAt);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _clock, cut);
                    }

                    var payload = Convert.ToBase64String(clip.MuLaw.AsSpan(i * FrameBytes, Math.Min(FrameBytes, clip.MuLaw.Length - (i * FrameBytes))));
                    cut.ThrowIfCancellationRequested();
                    await _send(JsonSerializer.SerializeToUtf8Bytes(
                        new OutboundMediaMessage("media", _streamSid, new OutboundMediaPayload(payload)), MediaStreamJson.Default.OutboundMediaMessage));
                    lock (_gate)
                    {
                        _framesSent++;
                    }
                }

                lock (_gate)
                {
                    cut.ThrowIfCancellationRequested();
                    _awaitingMark[clip.Id] = clip;
                    _current = null;
                }

                await _send(JsonSerializer.SerializeToUtf8Bytes(new MarkMessage("mark", _streamSid, new MarkPayload(clip.Id)), MediaStreamJson.Default.MarkMessage));
            }
            catch (OperationCanceledException) when (cut.IsCancellationRequested)
            {
                continue;
            }
        }
    }
}
