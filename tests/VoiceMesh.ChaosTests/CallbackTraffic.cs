using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using VoiceMesh.Testing;

namespace VoiceMesh.ChaosTests;

/// <summary>How a request reached the gateway: Twilio's first delivery, its retry (same idempotency token) or a redelivery under a new token.</summary>
internal enum DeliveryKind
{
    Original,
    SameToken,
    NewToken,
}

/// <summary>One delivery of a status callback and what became of it.</summary>
internal sealed class CallbackDelivery(StatusWebhook webhook, DeliveryKind kind, string phase)
{
    public StatusWebhook Webhook { get; } = webhook;

    public DeliveryKind Kind { get; } = kind;

    /// <summary>The phase the delivery was first sent in.</summary>
    public string Phase { get; } = phase;

    public (string CallSid, int SequenceNumber) Key => (Webhook.CallSid, Webhook.SequenceNumber);

    public int Attempts { get; set; }

    public bool Acknowledged { get; set; }

    /// <summary>Answered with a 4xx: a signed, valid callback refused (never sent again).</summary>
    public bool Refused { get; set; }

    public string LastAnswer { get; set; } = "";
}

/// <summary>
/// Streams signed call status callbacks through the gateway as Twilio does: chunks of ten calls' four callbacks,
/// shuffled, one in ten sent twice with the same idempotency token (Twilio's retry) and one in twenty again under a
/// new token (a redelivery), at a steady rate or as a burst. A delivery not answered 204 (503 while the broker is down,
/// no answer while the gateway is killed) is sent again a second later, with the same token, for up to
/// <see cref="ChaosProfile.RetryFor"/>; one answered with a 4xx is counted as refused.
/// </summary>
internal sealed class CallbackTraffic : IDisposable
{
    private const int ChunkCalls = 10;
    private static readonly MediaTypeHeaderValue FormType = new("application/x-www-form-urlencoded");

    private readonly HttpClient _client;
    private readonly Uri _target;
    private readonly ChaosTimeline _timeline;
    private readonly ChaosProfile _profile;
    private readonly Random _random = new(15);
    private readonly ConcurrentQueue<CallbackDelivery> _deliveries = new();
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly ConcurrentQueue<string> _callSids = new();
    private readonly Lock _generator = new();
    private int _seed = 15_000;
    private long _lastAcknowledgedTicks;

    public CallbackTraffic(Uri gateway, ChaosTimeline timeline, ChaosProfile profile)
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 64,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        _target = new Uri(gateway, StatusBurst.Path);
        _timeline = timeline;
        _profile = profile;
    }

    public IReadOnlyCollection<CallbackDelivery> Deliveries => _deliveries;

    public IReadOnlyCollection<string> CallSids => _callSids;

    /// <summary>The deliveries of the latest <see cref="Burst"/>.</summary>
    public IReadOnlyList<CallbackDelivery> LastBurst { get; private set; } = [];

    /// <summary>When the last delivery was acknowledged, on the timeline's clock.</summary>
    public TimeSpan LastAcknowledged => TimeSpan.FromTicks(Interlocked.Read(ref _lastAcknowledgedTicks));

    /// <summary>The callbacks acknowledged so far, each once.</summary>
    public IReadOnlyCollection<(string CallSid, int SequenceNumber)> AcknowledgedKeys() =>
        _deliveries.Where(d => d.Acknowledged).Select(d => d.Key).ToHashSet();

    /// <summary>Sends at the profile's rate until <paramref name="stop"/>; deliveries under way go on (see <see cref="Drain"/>).</summary>
    public async Task Stream(CancellationToken stop)
    {
        var pending = new Queue<CallbackDelivery>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / _profile.CallbacksPerSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (pending.Count == 0)
                {
                    foreach (var delivery in NextChunk(ChunkCalls))
                    {
                        pending.Enqueue(delivery);
                    }
                }

                Track(Send(pending.Dequeue()));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The four callbacks of <paramref name="calls"/> calls (with their duplicates) at once, 32 at a time; completes when
    /// every one was acknowledged, refused or given up.
    /// </summary>
    public async Task Burst(int calls)
    {
        using var gate = new SemaphoreSlim(32);
        var deliveries = new List<CallbackDelivery>();
        for (var sent = 0; sent < calls; sent += ChunkCalls)
        {
            deliveries.AddRange(NextChunk(Math.Min(ChunkCalls, calls - sent)));
        }

        LastBurst = deliveries;

        await Task.WhenAll(deliveries.Select(async delivery =>
        {
            await gate.WaitAsync();
            try
            {
                await Send(delivery);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>Waits for every delivery under way, retries included, to end.</summary>
    public async Task Drain()
    {
        while (!_inFlight.IsEmpty)
        {
            await Task.WhenAll(_inFlight.Keys);
        }
    }

    public void Dispose() => _client.Dispose();

    private List<CallbackDelivery> NextChunk(int calls)
    {
        lock (_generator)
        {
            return Chunk(calls);
        }
    }

    private List<CallbackDelivery> Chunk(int calls)
    {
        var burst = StatusBurst.Build(calls, ++_seed, TimeProvider.System.GetUtcNow());
        foreach (var callSid in burst.CallSids)
        {
            _callSids.Enqueue(callSid);
        }

        var phase = _timeline.Phase;
        var chunk = new List<CallbackDelivery>();
        foreach (var webhook in burst.Webhooks)
        {
            chunk.Add(new CallbackDelivery(webhook, DeliveryKind.Original, phase));
            var dice = _random.Next(20);
            if (dice < 2)
            {
                chunk.Add(new CallbackDelivery(webhook, DeliveryKind.SameToken, phase));
            }
            else if (dice == 2)
            {
                chunk.Add(new CallbackDelivery(webhook with { IdempotencyToken = $"{Mesh.AccountSid}-{Guid.NewGuid():N}" }, DeliveryKind.NewToken, phase));
            }
        }

        var order = chunk.ToArray();
        _random.Shuffle(order);
        return [.. order];
    }

    private void Track(Task sending)
    {
        _inFlight[sending] = 0;
        sending.ContinueWith(done => _inFlight.TryRemove(done, out _), TaskScheduler.Default);
    }

    private async Task Send(CallbackDelivery delivery)
    {
        _deliveries.Enqueue(delivery);
        var retrying = Stopwatch.StartNew();
        while (true)
        {
            delivery.Attempts++;
            var answer = await Post(delivery.Webhook);
            delivery.LastAnswer = answer is null ? "204" : $"{(int)answer.Value.Status} {answer.Value.Reason}".Trim();
            if (answer is null)
            {
                delivery.Acknowledged = true;
                Interlocked.Exchange(ref _lastAcknowledgedTicks, _timeline.Now.Ticks);
                return;
            }

            if (answer.Value.Status is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError and not HttpStatusCode.TooManyRequests)
            {
                delivery.Refused = true;
                return;
            }

            if (retrying.Elapsed > _profile.RetryFor)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Null when answered 204; else the status (0 without an answer) and why.</summary>
    private async Task<(HttpStatusCode Status, string Reason)?> Post(StatusWebhook webhook)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _target) { Content = new ByteArrayContent(webhook.Body) };
        request.Content.Headers.ContentType = FormType;
        request.Headers.Add("X-Twilio-Signature", webhook.Signature);
        request.Headers.Add("I-Twilio-Idempotency-Token", webhook.IdempotencyToken);
        try
        {
            using var response = await _client.SendAsync(request);
            return response.StatusCode == HttpStatusCode.NoContent ? null : (response.StatusCode, "");
        }
        catch (HttpRequestException ex)
        {
            return (0, ex.HttpRequestError.ToString());
        }
        catch (TaskCanceledException)
        {
            return (0, "no answer in 10 s");
        }
    }
}
