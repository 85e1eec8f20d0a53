using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.ChaosTests;

/// <summary>One <c>POST /api/calls</c>, to a number of its own, and what became of it.</summary>
internal sealed class PlacementRequest(string requestId, string to, string phase)
{
    public string RequestId { get; } = requestId;

    /// <summary>Only this request dials this number, so the simulator's creates to it count the calls it placed.</summary>
    public string To { get; } = to;

    public string Phase { get; } = phase;

    public int Attempts { get; set; }

    public bool Accepted { get; set; }

    /// <summary>Answered with a 4xx: a valid placement refused (never sent again).</summary>
    public bool Refused { get; set; }

    public string LastAnswer { get; set; } = "";
}

/// <summary>
/// Places calls through the gateway's API at the profile's rate, each with a request id and a number of its own. A
/// request not answered 202 (Calls killed, the broker down) is sent again a second later with the same request id, as
/// a client would, for up to <see cref="ChaosProfile.RetryFor"/>.
/// </summary>
internal sealed class PlacementTraffic : IDisposable
{
    private readonly HttpClient _client;
    private readonly ChaosTimeline _timeline;
    private readonly ChaosProfile _profile;
    private readonly ConcurrentQueue<PlacementRequest> _requests = new();
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private int _next;

    public PlacementTraffic(Uri gateway, ChaosTimeline timeline, ChaosProfile profile)
    {
        _client = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };
        _client.DefaultRequestHeaders.Add("X-Api-Key", Mesh.ApiKey);
        _timeline = timeline;
        _profile = profile;
    }

    public IReadOnlyCollection<PlacementRequest> Requests => _requests;

    public async Task Stream(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / _profile.PlacementsPerSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var n = _next++;
                var request = new PlacementRequest(
                    $"chaos-{n:D6}", "+1415" + (2_000_000 + n).ToString(CultureInfo.InvariantCulture), _timeline.Phase);
                _requests.Enqueue(request);
                var sending = Send(request);
                _inFlight[sending] = 0;
                _ = sending.ContinueWith(done => _inFlight.TryRemove(done, out _), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async Task Drain()
    {
        while (!_inFlight.IsEmpty)
        {
            await Task.WhenAll(_inFlight.Keys);
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task Send(PlacementRequest request)
    {
        var retrying = Stopwatch.StartNew();
        while (true)
        {
            request.Attempts++;
            var status = await Post(request);
            if (status == HttpStatusCode.Accepted)
            {
                request.Accepted = true;
                return;
            }

            if (status is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError and not HttpStatusCode.TooManyRequests)
            {
                request.Refused = true;
                return;
            }

            if (retrying.Elapsed > _profile.RetryFor)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task<HttpStatusCode> Post(PlacementRequest request)
    {
        try
        {
            using var response = await _client.PostAsJsonAsync(
                "/api/calls", new { requestId = request.RequestId, to = request.To, twiml = "<Response><Say>chaos</Say></Response>" });
            request.LastAnswer = $"{(int)response.StatusCode}";
            return response.StatusCode;
        }
        catch (HttpRequestException ex)
        {
            request.LastAnswer = ex.HttpRequestError.ToString();
            return 0;
        }
        catch (TaskCanceledException)
        {
            request.LastAnswer = "no answer in 10 s";
            return 0;
        }
    }
}
