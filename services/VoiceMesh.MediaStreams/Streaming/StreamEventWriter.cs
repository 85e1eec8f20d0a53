using System.Threading.Channels;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>
/// Stores one stream's lifecycle events in order through the command path, off the frame path. Each event's message id
/// is its ordinal in the stream, so a retried save appends nothing twice. The queue is bounded: a database slower than
/// the stream's events holds the processing task, and the frame buffer's drop-oldest policy takes the excess.
/// A save that still fails after its retries (a database down for more than a minute) is logged and skipped.
/// </summary>
internal sealed partial class StreamEventWriter
{
    private static readonly TimeSpan[] Retries =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), .. Enumerable.Repeat(TimeSpan.FromSeconds(5), 12)];

    private readonly Channel<object> _events = Channel.CreateBounded<object>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
    private readonly StreamCommands _commands;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string _streamSid;
    private readonly Task _writing;

    public StreamEventWriter(string streamSid, StreamCommands commands, TimeProvider clock, ILogger logger)
    {
        _streamSid = streamSid;
        _commands = commands;
        _clock = clock;
        _logger = logger;
        _writing = Task.Run(Write);
    }

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
        await foreach (var observed in _events.Reader.ReadAllAsync())
        {
            var messageId = $"e{ordinal++}";
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await _commands.Execute<StreamLifecycle>(_streamSid, messageId, stream => StreamLifecycle.Decide(stream, observed), CancellationToken.None);
                    break;
                }
                catch (Exception ex) when (attempt < Retries.Length)
                {
                    LogRetry(_streamSid, observed.GetType().Name, ex.GetType().Name);
                    await Task.Delay(Retries[attempt], _clock);
                }
                catch (Exception ex)
                {
                    LogLost(_streamSid, observed.GetType().Name, ex);
                    break;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Event} of stream {StreamSid} failed ({Error}); trying again")]
    private partial void LogRetry(string streamSid, string @event, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up storing {Event} of stream {StreamSid}")]
    private partial void LogLost(string streamSid, string @event, Exception exception);
}
