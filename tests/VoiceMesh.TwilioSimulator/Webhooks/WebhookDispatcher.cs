using System.Threading.Channels;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Hosting;

namespace VoiceMesh.TwilioSimulator.Webhooks;

/// <summary>
/// Delivers webhooks: applies the chaos settings, signs over the URL as given, sends to the webhook target (like a
/// load balancer would) and retries after a 5xx, a timeout or a connection failure as Twilio's <c>#rc</c>/<c>#rt</c>
/// connection overrides say. Every attempt lands in the inspection log.
/// </summary>
internal sealed partial class WebhookDispatcher : IAsyncDisposable
{
    private readonly SimulatorOptions _options;
    private readonly VirtualScheduler _scheduler;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly HttpClient _http;
    private readonly Channel<WebhookJob> _queue = Channel.CreateUnbounded<WebhookJob>();
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<WebhookAttempt> _log = [];
    private readonly Dictionary<string, WebhookJob> _held = new(StringComparer.Ordinal);
    private Random _random;
    private WebhookChaos _chaos = WebhookChaos.None;
    private Uri? _target;
    private long _order;
    private long _nextId;
    private int _pending;

    public WebhookDispatcher(SimulatorOptions options, VirtualScheduler scheduler, ILogger<WebhookDispatcher> logger)
    {
        _options = options;
        _scheduler = scheduler;
        _logger = logger;
        _target = options.WebhookTarget;
        _random = new Random(options.Seed);
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            MaxConnectionsPerServer = options.WebhookConcurrency,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("TwilioProxy/1.1");
        _workers = [.. Enumerable.Range(0, options.WebhookConcurrency).Select(_ => Task.Run(WorkAsync))];
    }

    public Uri? Target
    {
        get => Volatile.Read(ref _target);
        set => Volatile.Write(ref _target, value);
    }

    public WebhookChaos Chaos
    {
        get
        {
            lock (_gate)
            {
                return _chaos;
            }
        }

        set
        {
            lock (_gate)
            {
                _chaos = value;
                if (value.Seed is { } seed)
                {
                    _random = new Random(seed);
                }
            }
        }
    }

    /// <summary>Webhooks queued or being sent (not counting those waiting for a chaos delay or held for reordering).</summary>
    public int Pending => Volatile.Read(ref _pending);

    public IReadOnlyList<WebhookAttempt> Attempts
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    public void ClearLog()
    {
        lock (_gate)
        {
            _log.Clear();
        }
    }

    /// <summary>Sends a webhook, unless the chaos settings drop, delay, hold back or duplicate it. TwiML fetches
    /// (<c>voice</c>) are request/response and are never mistreated.</summary>
    public void Dispatch(WebhookJob job)
    {
        bool drop, delay, reorder, duplicate;
        TimeSpan delayBy;
        WebhookJob? release = null;
        lock (_gate)
        {
            job = job with { Order = _order++ };
            if (job.Kind == "voice")
            {
                Enqueue(job);
                return;
            }

            var chaos = _chaos;
            delayBy = chaos.DelayBy;
            drop = _random.NextDouble() < chaos.Drop;
            delay = _random.NextDouble() < chaos.Delay;
            reorder = _random.NextDouble() < chaos.Reorder;
            duplicate = _random.NextDouble() < chaos.Duplicate;
            reorder = reorder && !drop && !delay && !job.IsLast && job.Stream is { } stream && !_held.ContainsKey(stream);
            if (reorder)
            {
                _held[job.Stream!] = job with { Reordered = true };
                return;
            }

            if (job.Stream is { } heldStream)
            {
                _held.Remove(heldStream, out release);
            }

            if (drop)
            {
                Record(job, Rebase(ConnectionOverrides.Parse(job.Url).SignedUrl, Target), 0, null, "dropped", dropped: true);
            }
        }

        if (delay && !drop)
        {
            _scheduler.Schedule(job.GeneratedAt + delayBy, _ => Enqueue(job with { Delayed = true }));
        }
        else if (!drop)
        {
            Enqueue(job);
            if (duplicate)
            {
                Enqueue(job with { Duplicate = true });
            }
        }

        Enqueue(release);
    }

    /// <summary>Sends the call's held-back webhook, if any: the call will generate no more to overtake it.</summary>
    public void ReleaseHeld(string callSid)
    {
        WebhookJob? release;
        lock (_gate)
        {
            _held.Remove(callSid, out release);
        }

        Enqueue(release);
    }

    /// <summary>Completes once no webhook is queued or in flight, or after <paramref name="timeout"/> (real time).</summary>
    public async Task<bool> WhenIdleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!IsIdle())
        {
            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Requests a TwiML document (kind <c>voice</c>, never mistreated by chaos) and hands the response to
    /// <paramref name="then"/>, run on the scheduler at the job's <c>GeneratedAt</c>. The fetch counts as pending
    /// until <paramref name="then"/> has run, so waiting for idle webhooks also waits for what the TwiML does next;
    /// it holds the scheduler (see <see cref="VirtualScheduler.Hold"/>) until then.
    /// </summary>
    public void Fetch(WebhookJob job, Action<WebhookResponse, DateTimeOffset> then)
    {
        lock (_gate)
        {
            job = job with { Order = _order++ };
        }

        _scheduler.NoteActivity();
        Interlocked.Increment(ref _pending);
        var hold = _scheduler.Hold(job.GeneratedAt);
        _ = Task.Run(async () =>
        {
            try
            {
                var response = await DeliverAsync(job, readBody: true).ConfigureAwait(false);
                await _scheduler.RunAsync(job.GeneratedAt, due => then(response, due)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogFetchFailed(_logger, e, job.CallSid, job.Url);
            }
            finally
            {
                hold.Dispose();
                Interlocked.Decrement(ref _pending);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(false);
        _http.Dispose();
        _stopping.Dispose();
    }

    /// <summary>The URL with scheme, host and port replaced by <paramref name="target"/>'s; path and query kept byte for byte.</summary>
    internal static string Rebase(string url, Uri? target)
    {
        if (target is null)
        {
            return url;
        }

        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var rest = schemeEnd < 0 ? url : url[(schemeEnd + 3)..];
        var pathStart = rest.IndexOfAny(['/', '?']);
        var pathAndQuery = pathStart < 0 ? "/" : rest[pathStart..];
        return target.GetLeftPart(UriPartial.Authority) + pathAndQuery;
    }

    /// <summary>Nothing queued or in flight and nothing due on the scheduler, with no activity starting meanwhile.</summary>
    private bool IsIdle()
    {
        var activity = _scheduler.Activity;
        return Pending == 0 && !_scheduler.IsBusy && _scheduler.Activity == activity;
    }

    private void Enqueue(WebhookJob? job)
    {
        if (job is null)
        {
            return;
        }

        _scheduler.NoteActivity();
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await DeliverAsync(job, readBody: false).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
    }

    private async Task<WebhookResponse> DeliverAsync(WebhookJob job, bool readBody)
    {
        var overrides = ConnectionOverrides.Parse(job.Url);
        var signedUrl = overrides.SignedUrl;
        var isGet = string.Equals(job.Method, "GET", StringComparison.OrdinalIgnoreCase);
        if (isGet)
        {
            var query = string.Join('&', job.Parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
            signedUrl += (signedUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
        }

        var signature = WebhookSigner.Sign(job.AuthToken, signedUrl, isGet ? [] : job.Parameters);
        var attempts = 1 + (overrides.RetryCount ?? _options.WebhookRetries);
        var result = new WebhookResponse(null, "unsent", null, null);
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var deliveredTo = Rebase(signedUrl, Target);
            using var request = new HttpRequestMessage(isGet ? HttpMethod.Get : HttpMethod.Post, deliveredTo);
            if (!isGet)
            {
                request.Content = new FormUrlEncodedContent(job.Parameters);
            }

            request.Headers.TryAddWithoutValidation("X-Twilio-Signature", signature);
            request.Headers.TryAddWithoutValidation("I-Twilio-Idempotency-Token", job.IdempotencyToken);
            int? status = null;
            string? error = null;
            string? contentType = null;
            string? body = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(overrides.ReadTimeout ?? _options.WebhookTimeout);
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                status = (int)response.StatusCode;
                contentType = response.Content.Headers.ContentType?.MediaType;
                if (readBody)
                {
                    body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                error = "timeout";
            }
            catch (HttpRequestException e)
            {
                error = e.HttpRequestError.ToString();
            }

            lock (_gate)
            {
                Record(job, deliveredTo, attempt, status, error);
            }

            result = new WebhookResponse(status, error, contentType, body);
            if (!overrides.ShouldRetry(status, error))
            {
                return result;
            }

            LogAttemptFailed(_logger, job.Kind, job.CallSid, attempt, status, error);
        }

        return result;
    }

    private void Record(WebhookJob job, string deliveredTo, int attempt, int? status, string? error, bool dropped = false)
    {
        var signedUrl = ConnectionOverrides.Parse(job.Url).SignedUrl;
        _log.Add(new WebhookAttempt
        {
            Id = _nextId++,
            Order = job.Order,
            Time = _scheduler.Now,
            Kind = job.Kind,
            CallSid = job.CallSid,
            Url = signedUrl,
            DeliveredTo = deliveredTo,
            Method = job.Method,
            Parameters = job.Parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            IdempotencyToken = job.IdempotencyToken,
            Attempt = attempt,
            ResponseStatus = status,
            Error = error,
            Duplicate = job.Duplicate,
            Dropped = dropped,
            Delayed = job.Delayed,
            Reordered = job.Reordered,
        });
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Webhook {Kind} for {CallSid} attempt {Attempt} failed: status {Status}, error {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string kind, string? callSid, int attempt, int? status, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TwiML fetch for {CallSid} from {Url} failed")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception, string? callSid, string url);
}
