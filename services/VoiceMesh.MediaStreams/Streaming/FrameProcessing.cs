using System.Net.WebSockets;
using System.Threading.Channels;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Audio;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Playback;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>
/// One stream's media processing, one frame at a time in arrival order. A frame that finds nothing queued and nothing
/// being processed is processed at once, on the connection's receive loop: no hand-off to another task, so its latency
/// is its processing time (for a frame completing a neural VAD chunk, until that chunk's batch has run). Otherwise
/// (processing is busy, or the stream's event queue is half full because the database is slow or away) it waits in a channel bounded at <see cref="MediaStreamsOptions.FrameBuffer"/> frames for the
/// stream's processing task; when processing falls that far behind, the oldest frame is dropped and counted, so the
/// receive loop never waits for processing and memory per stream stays bounded.
/// </summary>
internal sealed class FrameProcessing : IDisposable
{
    private readonly Channel<MediaFrame> _queued;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly CollectingObserver _observer = new();
    private readonly List<IMediaProcessor> _processors;
    private readonly StreamEventWriter _events;
    private readonly StreamPlayer _player;
    private readonly MediaStreamsMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly Task _draining;
    private short[] _pcm = new short[1024];

    /// <param name="stream">The stream the processors are created for.</param>
    /// <param name="factories">The processors' factories (VAD, recorder...).</param>
    /// <param name="buffer">Frames queued at most before the oldest is dropped.</param>
    /// <param name="dropped">Counts a dropped frame (its buffer is returned here).</param>
    /// <param name="events">Where observed events are stored, in order.</param>
    /// <param name="player">Told of inbound speech (barge-in).</param>
    /// <param name="metrics">Frame latency.</param>
    /// <param name="clock">Times each frame from its arrival.</param>
    public FrameProcessing(
        StreamContext stream,
        IEnumerable<IMediaProcessorFactory> factories,
        int buffer,
        Action<MediaFrame> dropped,
        StreamEventWriter events,
        StreamPlayer player,
        MediaStreamsMetrics metrics,
        TimeProvider clock)
    {
        _processors = [.. factories.Select(f => f.Create(stream, _observer)).OfType<IMediaProcessor>()];
        _queued = Channel.CreateBounded<MediaFrame>(
            new BoundedChannelOptions(buffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            frame =>
            {
                dropped(frame);
                frame.Release();
            });
        _events = events;
        _player = player;
        _metrics = metrics;
        _clock = clock;
        _draining = Task.Run(Drain);
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>Processes the frame now, or queues it for the processing task. Called by the receive loop only.</summary>
    public ValueTask Arrived(MediaFrame frame)
    {
        // Only the receive loop writes to the channel, and the processing task reads from it under the turn: with none
        // queued and the turn free, no earlier frame is waiting anywhere.
        if (_queued.Reader.Count == 0 && _events.HasRoom && _turn.Wait(0))
        {
            return ProcessNow(frame);
        }

        if (!_queued.Writer.TryWrite(frame))
        {
            frame.Release();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Processes what is queued, tells the processors the stream ended, stores what they observed and disposes them.</summary>
    public async Task Complete()
    {
        _queued.Writer.TryComplete();
        await _draining;
        await _turn.WaitAsync();
        try
        {
            foreach (var processor in _processors)
            {
                processor.Complete();
            }

            await _observer.Flush(_events, _player);
        }
        finally
        {
            foreach (var processor in _processors.OfType<IDisposable>())
            {
                processor.Dispose();
            }
        }
    }

    private async ValueTask ProcessNow(MediaFrame frame)
    {
        try
        {
            await Process(frame);
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task Drain()
    {
        while (await _queued.Reader.WaitToReadAsync())
        {
            await _turn.WaitAsync();
            try
            {
                while (_queued.Reader.TryRead(out var frame))
                {
                    await Process(frame);
                }
            }
            finally
            {
                _turn.Release();
            }
        }
    }

    private async Task Process(MediaFrame frame)
    {
        try
        {
            await Decode(frame);
        }
        finally
        {
            frame.Release();
        }

        _metrics.Processed(_clock.GetElapsedTime(frame.ArrivalTimestamp).TotalMilliseconds);
        await _observer.Flush(_events, _player);
    }

    /// <summary>Decodes the frame and hands it to each processor in turn, the next once the previous one's task completed.</summary>
    private ValueTask Decode(MediaFrame frame)
    {
        var audio = frame.Audio;
        if (audio.Length > _pcm.Length)
        {
            _pcm = new short[audio.Length];
        }

        MuLaw.Decode(audio, _pcm);
        return Hand(frame, 0);
    }

    private ValueTask Hand(MediaFrame frame, int first)
    {
        for (var i = first; i < _processors.Count; i++)
        {
            var processing = _processors[i].Process(frame.Track, frame.TimestampMs, _pcm.AsSpan(0, frame.Audio.Length), frame.Audio);
            if (!processing.IsCompletedSuccessfully)
            {
                return HandAfter(processing, frame, i + 1);
            }
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask HandAfter(ValueTask processing, MediaFrame frame, int next)
    {
        await processing;
        await Hand(frame, next);
    }

    /// <summary>Collects what processors observe during a frame, then stores it in order once the frame is done.</summary>
    private sealed class CollectingObserver : IStreamObserver
    {
        private readonly List<object> _observed = [];

        public void Observe(object observed) => _observed.Add(observed);

        /// <summary>Stores what was observed; speech on the inbound track also reaches the player (barge-in).</summary>
        public async Task Flush(StreamEventWriter events, StreamPlayer player)
        {
            if (_observed.Count == 0)
            {
                return;
            }

            foreach (var observed in _observed)
            {
                await events.Append(observed, CancellationToken.None);
                if (observed is SpeechBegan { Track: MediaTrack.Inbound } speech)
                {
                    await BargeIn(player, speech.OffsetMs);
                }
            }

            _observed.Clear();
        }

        private static async Task BargeIn(StreamPlayer player, long offsetMs)
        {
            try
            {
                await player.SpeechBegan(offsetMs);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The connection is ending; the receive loop reports it.
            }
        }
    }
}
