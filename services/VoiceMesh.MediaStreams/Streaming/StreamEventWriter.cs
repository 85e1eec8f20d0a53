using System.Threading.Channels;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>
/// Stores one stream's lifecycle events in order, off the frame path. Each event's message id is its ordinal in the
/// stream, so a retried save appends nothing twice. A save that fails is retried (0.1, 0.5, 1, 2 s, then every 5 s) for
/// as long as the service runs, never skipped: while the database is away the queue (bounded at 1,024) fills; from
/// half full on, frames go through the stream's frame buffer instead of being processed on the receive loop, and once it
/// is full <see cref="Append"/> waits, which holds the stream's processing task; the frame buffer's drop-oldest policy
/// (counted) takes the excess, so memory stays bounded and no event is lost or reordered. Only the service stopping ends the
/// retries; what was not stored by then is counted and logged as lost.
/// </summary>
internal sealed partial class StreamEventWriter
{
    /// <summary>After this many failed attempts in a row (about a minute) the outage is logged as an error, once.</summary>
    public const int OutageAttempts = 16;

    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];
    private static readonly TimeSpan Steady = TimeSpan.FromSeconds(5);

    /// <summary>Events queued at most; <see cref="Append"/> waits beyond it.</summary>
    public const int Capacity = 1024;

    private readonly Channel<object> _events = Channel.CreateBounded<object>(new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = false });
    private readonly Func<string, object, Task> _store;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string _streamSid;
    private readonly CancellationToken _stopping;
    private readonly Task _writing;

    /// <param name="streamSid">The stream the events belong to.</param>
    /// <param name="store">Stores one event under its message id (the command path).</param>
    /// <param name="clock">Times the retries.</param>
    /// <param name="logger">Where retries and an outage are reported.</param>
    /// <param name="stopping">The service is stopping: give up retrying.</param>
    public StreamEventWriter(string streamSid, Func<string, object, Task> store, TimeProvider clock, ILogger logger, CancellationToken stopping)
    {
        _streamSid = streamSid;
        _store = store;
        _clock = clock;
        _logger = logger;
        _stopping = stopping;
        _writing = Task.Run(Write, CancellationToken.None);
    }

    /// <summary>Under half of <see cref="Capacity"/> is queued: the database keeps up, so a frame may be processed without waiting.</summary>
    public bool HasRoom => _events.Reader.Count < Capacity / 2;

    /// <summary>Queues an event; waits while the queue is full (the database is slower than the stream, or away).</summary>
    public ValueTask Append(object observed, CancellationToken cancellationToken) => _events.Writer.WriteAsync(observed, cancellationToken);

    /// <summary>Stores what is queued and ends.</summary>
    public Task Complete()
    {
        _events.Writer.TryComplete();
        return _writing;
    }

    private async Task Write()
    {
        var ordinal = 0;
        var lost = 0;
        await foreach (var observed in _events.Reader.ReadAllAsync(CancellationToken.None))
        {
            var messageId = $"e{ordinal++}";
            if (lost > 0 || !await Store(messageId, observed))
            {
                lost++;
            }
        }

        if (lost > 0)
        {
            LogLost(_streamSid, lost);
        }
    }

    /// <summary>Stores one event, retrying until it is stored (true) or the service stops (false).</summary>
    private async Task<bool> Store(string messageId, object observed)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _store(messageId, observed);
                if (attempt >= OutageAttempts)
                {
                    LogRecovered(_streamSid, attempt);
                }

                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                if (attempt + 1 == OutageAttempts)
                {
                    LogOutage(_streamSid, observed.GetType().Name, attempt + 1, ex);
                }
                else
                {
                    LogRetry(_streamSid, observed.GetType().Name, ex.GetType().Name);
                }
            }

            try
            {
                await Task.Delay(attempt < Backoff.Length ? Backoff[attempt] : Steady, _clock, _stopping);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Event} of stream {StreamSid} failed ({Error}); trying again")]
    private partial void LogRetry(string streamSid, string @event, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream {StreamSid} could not store {Event} in {Attempts} attempts; holding its events and retrying every 5 s (its processing waits, frames drop oldest)")]
    private partial void LogOutage(string streamSid, string @event, int attempts, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamSid} stores its events again after {Attempts} attempts")]
    private partial void LogRecovered(string streamSid, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "The service is stopping: {Count} events of stream {StreamSid} were not stored")]
    private partial void LogLost(string streamSid, int count);
}
