using System.Globalization;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Rest;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.MediaStreams;

/// <summary>Twilio's <c>&lt;Stream track&gt;</c> / Streams create <c>Track</c> values.</summary>
internal static class StreamTracks
{
    public static readonly IReadOnlyList<string> All = ["inbound_track", "outbound_track", "both_tracks"];

    /// <summary>The <c>start</c> message's <c>tracks</c> for a track value.</summary>
    public static IReadOnlyList<string> Of(string track) => track switch
    {
        "outbound_track" => ["outbound"],
        "both_tracks" => ["inbound", "outbound"],
        _ => ["inbound"],
    };
}

/// <summary>What a <c>&lt;Stream&gt;</c> (or a Streams create) asks for.</summary>
internal sealed record StreamRequest(
    string Url, string? Name, string Track, IReadOnlyDictionary<string, string> Parameters, string? StatusCallback, string StatusCallbackMethod,
    bool Bidirectional);

/// <summary>One stream of a call, as the Streams REST resource shows it.</summary>
internal sealed class SimStream
{
    public required string Sid { get; init; }
    public required SimCall Call { get; init; }
    public required StreamRequest Request { get; init; }
    public string Status { get; set; } = "in-progress";
    public DateTimeOffset DateUpdated { get; set; }
    public required CancellationTokenSource End { get; init; }
    public MediaStreamRun? Run { get; set; }

    public object ToJson(string accountSid) => new
    {
        sid = Sid,
        account_sid = accountSid,
        call_sid = Call.Sid,
        name = Request.Name,
        status = Status,
        date_updated = TwilioFormat.Rfc2822(DateUpdated),
        uri = $"/2010-04-01/Accounts/{accountSid}/Calls/{Call.Sid}/Streams/{Sid}.json",
    };
}

/// <summary>
/// A call's Media Streams, opened by <c>&lt;Start&gt;&lt;Stream&gt;</c>, <c>&lt;Connect&gt;&lt;Stream&gt;</c> or the Streams
/// REST resource: each runs the Media Streams client (<see cref="MediaStreamClient"/>) in real time against the stream's
/// URL (rebased onto the webhook target, as webhooks are), with the call's script (<see cref="Configure"/>), and reports
/// <c>stream-started</c>, <c>stream-stopped</c> or <c>stream-error</c> to its status callback (REFERENCE §11.1).
/// Every stream of a call ends (with <c>stop</c>) when the call ends.
/// </summary>
internal sealed partial class CallStreams : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<SimStream>> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StreamBehaviour> _behaviours = new(StringComparer.Ordinal);
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly VirtualScheduler _scheduler;
    private readonly WebhookDispatcher _webhooks;
    private readonly ILogger<CallStreams> _logger;

    public CallStreams(CallEngine calls, VirtualScheduler scheduler, WebhookDispatcher webhooks, ILogger<CallStreams> logger)
    {
        _scheduler = scheduler;
        _webhooks = webhooks;
        _logger = logger;
        calls.Ended += (_, e) => EndAll(e.Call.Sid);
    }

    /// <summary>What the caller sends on the call's streams, and a fault for its first one.</summary>
    public void Configure(string callSid, StreamBehaviour behaviour)
    {
        lock (_gate)
        {
            _behaviours[callSid] = behaviour;
        }
    }

    /// <summary>The call's streams, oldest first.</summary>
    public IReadOnlyList<SimStream> Of(string callSid)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(callSid, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Opens a stream on a live call; <paramref name="closed"/> runs once its socket has closed (for a blocking <c>&lt;Connect&gt;</c>).</summary>
    public SimStream Start(SimCall call, StreamRequest request, Action? closed = null)
    {
        StreamBehaviour behaviour;
        SimStream stream;
        lock (_gate)
        {
            behaviour = _behaviours.GetValueOrDefault(call.Sid) ?? StreamBehaviour.Silent;
            if (!_streams.TryGetValue(call.Sid, out var list))
            {
                list = [];
                _streams[call.Sid] = list;
            }

            stream = new SimStream
            {
                Sid = TwilioFormat.NewSid("MZ"),
                Call = call,
                Request = request,
                DateUpdated = _scheduler.Now,
                End = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token),
            };
            var first = list.Count == 0;
            list.Add(stream);
            var target = new MediaStreamTarget
            {
                StreamUrl = request.Url,
                ConnectTo = WebSocketAddress(request.Url, _webhooks.Target),
                AuthToken = call.AuthToken,
                AccountSid = call.AccountSid,
                CallSid = call.Sid,
                StreamSid = stream.Sid,
                Tracks = StreamTracks.Of(request.Track),
                CustomParameters = request.Parameters,
                StopAtEnd = !request.Bidirectional,
                HoldOpen = true,
                DropAfterFrames = first ? behaviour.DropFirstStreamAfterFrames : null,
            };
            _running.Add(Task.Run(() => RunAsync(stream, target, behaviour.Script, closed)));
        }

        return stream;
    }

    /// <summary>Stops one of the call's streams by sid or name (Streams update <c>Status=stopped</c>, <c>&lt;Stop&gt;</c>); null when none is running.</summary>
    public SimStream? Stop(string callSid, string sidOrName)
    {
        SimStream? stream;
        lock (_gate)
        {
            stream = _streams.GetValueOrDefault(callSid)?.LastOrDefault(s => s.Sid == sidOrName || s.Request.Name == sidOrName);
            if (stream is null)
            {
                return null;
            }

            if (stream.Status == "in-progress")
            {
                stream.Status = "stopped";
                stream.DateUpdated = _scheduler.Now;
            }
        }

        _ = stream.End.CancelAsync();
        return stream;
    }

    private void EndAll(string callSid)
    {
        foreach (var stream in Of(callSid))
        {
            Stop(callSid, stream.Sid);
        }
    }

    private async Task RunAsync(SimStream stream, MediaStreamTarget target, AudioScript script, Action? closed)
    {
        string? error = null;
        try
        {
            Report(stream, "stream-started", null);
            stream.Run = await MediaStreamClient.Run(target, script, _stopping.Token, stream.End.Token).ConfigureAwait(false);
            if (stream.Run.Dropped)
            {
                error = "31924 Protocol error: the connection was lost";
            }
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or HttpRequestException or OperationCanceledException)
        {
            error = $"31920 Stream WebSocket could not connect: {e.Message}";
        }

        lock (_gate)
        {
            stream.Status = "stopped";
            stream.DateUpdated = _scheduler.Now;
        }

        LogEnded(_logger, stream.Sid, stream.Call.Sid, error ?? "stopped");
        if (!_stopping.IsCancellationRequested)
        {
            Report(stream, error is null ? "stream-stopped" : "stream-error", error);
            closed?.Invoke();
        }
    }

    private void Report(SimStream stream, string streamEvent, string? error)
    {
        if (stream.Request.StatusCallback is not { } url)
        {
            return;
        }

        var at = _scheduler.Now;
        _webhooks.Dispatch(new WebhookJob
        {
            Kind = "stream",
            CallSid = stream.Call.Sid,
            Url = url,
            Method = stream.Request.StatusCallbackMethod,
            AuthToken = stream.Call.AuthToken,
            GeneratedAt = at,
            IdempotencyToken = TwilioFormat.NewSid(""),
            Parameters =
            [
                new("AccountSid", stream.Call.AccountSid),
                new("CallSid", stream.Call.Sid),
                new("StreamSid", stream.Sid),
                new("StreamName", stream.Request.Name ?? stream.Sid),
                new("StreamEvent", streamEvent),
                .. error is null ? Array.Empty<KeyValuePair<string, string>>() : [new("StreamError", error)],
                new("Timestamp", at.ToString("o", CultureInfo.InvariantCulture)),
            ],
        });
    }

    /// <summary>Where the socket really connects: the stream URL's path on the webhook target (ws for http), or the URL itself.</summary>
    internal static Uri WebSocketAddress(string streamUrl, Uri? target)
    {
        var rebased = new UriBuilder(WebhookDispatcher.Rebase(streamUrl, target));
        rebased.Scheme = rebased.Scheme switch
        {
            "http" => "ws",
            "https" => "wss",
            _ => rebased.Scheme,
        };
        return rebased.Uri;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream {StreamSid} of call {CallSid} ended: {Outcome}")]
    private static partial void LogEnded(ILogger logger, string streamSid, string callSid, string outcome);
}

/// <summary>What the caller sends on a call's streams (then silence until the stream ends), and whether its first stream drops.</summary>
internal sealed record StreamBehaviour(AudioScript Script, int? DropFirstStreamAfterFrames)
{
    public static readonly StreamBehaviour Silent = new(new AudioScript([]), null);
}
