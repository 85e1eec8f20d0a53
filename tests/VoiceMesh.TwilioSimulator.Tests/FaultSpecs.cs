using System.Diagnostics;
using System.Net.Http.Json;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class FaultSpecs : IAsyncLifetime
{
    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task Exceeding_the_calls_per_second_limit_returns_429_with_20429_until_the_second_has_passed()
    {
        _world.Control.SetCallsPerSecond(2);
        await CreateAsync();
        await CreateAsync();

        var error = await Assert.ThrowsAsync<ApiException>(CreateAsync);
        _world.Clock.Advance(TimeSpan.FromSeconds(1));
        await CreateAsync();

        Assert.Equal((20429, 429), (error.Code, error.Status));
        Assert.Equal("cps-limit", Assert.Single(_world.Control.Requests, r => r.StatusCode == 429).Fault);
        Assert.Equal(3, (await CallResource.ReadAsync(client: _world.Twilio)).Count());
    }

    [Fact]
    public async Task The_calls_per_second_limit_counts_each_account_separately()
    {
        const string otherSid = "AC11111111111111111111111111111111";
        _world.Control.AddAccount(otherSid, "other-token");
        _world.Control.SetCallsPerSecond(1);
        var other = _world.Host.CreateTwilioClient(otherSid, "other-token");

        await CreateAsync();
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230200"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl), client: other);

        Assert.Equal(otherSid, call.AccountSid);
        await Assert.ThrowsAsync<ApiException>(CreateAsync);
    }

    [Fact]
    public async Task Injected_503s_reach_the_sdk_for_the_configured_number_of_requests()
    {
        _world.Control.InjectErrors(new InjectedErrors { Status = 503, Count = 2 });

        var first = await Assert.ThrowsAsync<ApiException>(CreateAsync);
        var second = await Assert.ThrowsAsync<ApiException>(() => CallResource.ReadAsync(client: _world.Twilio));
        await CreateAsync();

        Assert.Equal((20503, 503), (first.Code, first.Status));
        Assert.Equal((20503, 503), (second.Code, second.Status));
        Assert.Single((await CallResource.ReadAsync(client: _world.Twilio)).ToList());
    }

    [Fact]
    public async Task Errors_aimed_at_a_method_and_path_spare_every_other_request()
    {
        _world.Control.InjectErrors(new InjectedErrors { Status = 500, Count = 1, Method = "POST", PathContains = "/Calls.json" });

        Assert.Empty(await CallResource.ReadAsync(client: _world.Twilio));
        var error = await Assert.ThrowsAsync<ApiException>(CreateAsync);
        await CreateAsync();

        Assert.Equal((20500, 500), (error.Code, error.Status));
        Assert.Equal(["GET 200", "POST 500", "POST 201"], _world.Control.Requests.Select(r => $"{r.Method} {r.StatusCode}"));
    }

    [Fact]
    public async Task Injected_500s_for_a_time_window_stop_when_the_clock_passes_it()
    {
        _world.Control.InjectErrors(new InjectedErrors { Status = 500, Seconds = 10 });

        var error = await Assert.ThrowsAsync<ApiException>(CreateAsync);
        _world.Clock.Advance(TimeSpan.FromSeconds(9));
        await Assert.ThrowsAsync<ApiException>(CreateAsync);
        _world.Clock.Advance(TimeSpan.FromSeconds(1));
        await CreateAsync();

        Assert.Equal((20500, 500), (error.Code, error.Status));
    }

    [Fact]
    public async Task A_create_whose_response_is_aborted_still_creates_the_call()
    {
        _world.Control.FailCreateResponses(new CreateResponseFault { Mode = CreateResponseFaultMode.Abort });

        await Assert.ThrowsAsync<ApiConnectionException>(CreateAsync);

        var call = Assert.Single(await CallResource.ReadAsync(client: _world.Twilio));
        Assert.Equal("+15551230200", call.To.ToString());
        var create = await EventuallyAsync(() => _world.Control.Requests.SingleOrDefault(r => r.Method == "POST"));
        Assert.Equal("create-response-aborted", create.Fault);
    }

    [Fact]
    public async Task A_create_whose_response_comes_after_the_clients_timeout_still_creates_the_call()
    {
        // The client gives up well after its request is in (a loaded machine can take a second to send it) and well
        // before the answer comes, which the server still logs within EventuallyAsync's patience.
        _world.Control.FailCreateResponses(new CreateResponseFault { Mode = CreateResponseFaultMode.Delay, Delay = TimeSpan.FromSeconds(12) });
        var impatient = _world.Host.CreateTwilioClient(timeout: TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<ApiConnectionException>(() => CallResource.CreateAsync(
            to: new PhoneNumber("+15551230200"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl), client: impatient));

        var create = await EventuallyAsync(() => _world.Control.Requests.SingleOrDefault(r => r.Method == "POST"));
        Assert.Equal("create-response-delayed", create.Fault);
        Assert.Single(await CallResource.ReadAsync(client: _world.Twilio));
    }

    [Fact]
    public async Task Added_latency_delays_every_answer()
    {
        _world.Control.SetLatency(TimeSpan.FromMilliseconds(150));
        var stopwatch = Stopwatch.StartNew();

        await CallResource.ReadAsync(client: _world.Twilio);

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(140), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Faults_and_outcomes_switch_at_run_time_through_the_admin_api()
    {
        using var admin = new HttpClient { BaseAddress = _world.Host.BaseAddress };
        var ct = TestContext.Current.CancellationToken;

        (await admin.PutAsJsonAsync("/_sim/faults/cps", new { limit = 1 }, ct)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/_sim/outcomes", new { match = "+15551230200", outcome = "busy" }, ct)).EnsureSuccessStatusCode();
        await CreateAsync();
        var limited = await Assert.ThrowsAsync<ApiException>(CreateAsync);
        (await admin.DeleteAsync(new Uri("/_sim/faults", UriKind.Relative), ct)).EnsureSuccessStatusCode();
        await CreateAsync();
        (await admin.PutAsJsonAsync("/_sim/faults/errors", new { status = 503, count = 1 }, ct)).EnsureSuccessStatusCode();
        var unavailable = await Assert.ThrowsAsync<ApiException>(CreateAsync);
        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(20429, limited.Code);
        Assert.Equal(20503, unavailable.Code);
        var calls = await CallResource.ReadAsync(client: _world.Twilio);
        Assert.All(calls, c => Assert.Equal(CallResource.StatusEnum.Busy, c.Status));
        var requests = (await admin.GetFromJsonAsync<List<RecordedRequest>>("/_sim/requests", ct))!;
        Assert.Equal([201, 429, 201, 503, 200], requests.Select(r => r.StatusCode));
        Assert.Equal(["+15551230200"], requests[0].Form["To"]);
        var outcomes = await admin.GetStringAsync(new Uri("/_sim/outcomes", UriKind.Relative), ct);
        Assert.Contains("\"busy\"", outcomes, StringComparison.Ordinal);
    }

    /// <summary>The server logs a request once its handler is done, which can be after the client gave up.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<T?> probe)
        where T : class
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10), "timed out");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private Task<CallResource> CreateAsync() =>
        CallResource.CreateAsync(
            to: new PhoneNumber("+15551230200"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl),
            client: _world.Twilio);
}
