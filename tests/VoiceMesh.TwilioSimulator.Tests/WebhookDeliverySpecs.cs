using System.Globalization;
using System.Net.Http.Json;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class WebhookDeliverySpecs
{
    private static List<string> AllEvents => ["initiated", "ringing", "answered", "completed"];

    [Fact]
    public async Task Webhook_chaos_mistreats_the_configured_fractions_deterministically()
    {
        var first = await RunChaosAsync();
        var second = await RunChaosAsync();

        Assert.Equal(first, second);
        var (generated, dropped, duplicated, delayed, reordered, received) = first;
        Assert.Equal(600, generated);
        Assert.InRange(dropped, 30, 90);
        Assert.InRange(duplicated, 30, 90);
        Assert.InRange(delayed, 30, 90);
        Assert.InRange(reordered, 20, 90);
        Assert.Equal(generated - dropped + duplicated, received);
    }

    [Fact]
    public async Task A_reordered_callback_arrives_after_the_calls_next_one()
    {
        await using var world = await SimulatorWorld.StartAsync(o => o.WebhookConcurrency = 1);
        world.Control.WebhookChaos = new WebhookChaos { Reorder = 1 };

        await CreateAsync(world, "+15551230300");
        await world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var statuses = world.Receiver.Received.Where(r => r.PathAndQuery.StartsWith("/twilio/voice/status", StringComparison.Ordinal))
            .Select(r => r["CallStatus"]);
        Assert.Equal(["ringing", "initiated", "completed", "in-progress"], statuses);
        Assert.Equal(2, world.Control.Webhooks.Count(w => w.Reordered));
    }

    [Fact]
    public async Task A_held_back_callback_is_sent_when_its_call_ends_without_a_later_one()
    {
        await using var world = await SimulatorWorld.StartAsync();
        world.Control.WebhookChaos = new WebhookChaos { Reorder = 1 };

        await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230309"), from: new PhoneNumber(SimulatorWorld.From), twiml: new Twilio.Types.Twiml("<Response/>"),
            statusCallback: new Uri(SimulatorWorld.StatusCallback), statusCallbackEvent: ["initiated"], client: world.Twilio);
        await world.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal("initiated", Assert.Single(world.Receiver.Received)["CallStatus"]);
        Assert.True(Assert.Single(world.Control.Webhooks).Reordered);
    }

    [Fact]
    public async Task A_duplicated_callback_repeats_its_idempotency_token()
    {
        await using var world = await SimulatorWorld.StartAsync();
        world.Control.WebhookChaos = new WebhookChaos { Duplicate = 1 };

        await CreateAsync(world, "+15551230301");
        await world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var callbacks = world.Receiver.Received.Where(r => r.PathAndQuery.StartsWith("/twilio/voice/status", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, callbacks.Count);
        Assert.All(callbacks.GroupBy(c => c["SequenceNumber"]), g =>
        {
            Assert.Equal(2, g.Count());
            Assert.Single(g.Select(c => c.IdempotencyToken).Distinct());
        });
    }

    [Fact]
    public async Task A_delayed_callback_waits_for_the_virtual_clock()
    {
        await using var world = await SimulatorWorld.StartAsync();
        world.Control.WebhookChaos = new WebhookChaos { Delay = 1, DelayBy = TimeSpan.FromMinutes(5) };

        await CreateAsync(world, "+15551230302");
        await world.AdvanceAsync(TimeSpan.FromMinutes(2));
        var early = world.Receiver.Received.Count(r => r.PathAndQuery.StartsWith("/twilio/voice/status", StringComparison.Ordinal));
        await world.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(0, early);
        Assert.Equal(4, world.Receiver.Received.Count(r => r.PathAndQuery.StartsWith("/twilio/voice/status", StringComparison.Ordinal)));
        Assert.All(world.Control.Webhooks.Where(w => w.Kind == "status-callback"), w => Assert.True(w.Delayed));
    }

    [Fact]
    public async Task A_callback_answered_with_5xx_is_retried_with_the_same_token()
    {
        await using var world = await SimulatorWorld.StartAsync();
        var failures = 0;
        world.Receiver.Respond = _ => Task.FromResult(Interlocked.Increment(ref failures) == 1 ? 500 : 200);

        await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230303"), from: new PhoneNumber(SimulatorWorld.From), twiml: new Twilio.Types.Twiml("<Response/>"),
            statusCallback: new Uri(SimulatorWorld.StatusCallback), client: world.Twilio);
        await world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var attempts = world.Control.Webhooks;
        Assert.Equal([(0, 500), (1, 200)], attempts.Select(a => (a.Attempt, a.ResponseStatus ?? 0)));
        Assert.Single(attempts.Select(a => a.IdempotencyToken).Distinct());
        Assert.All(world.Receiver.Received, r => Assert.True(r.SignatureValid));
    }

    [Fact]
    public async Task The_retry_count_and_read_timeout_follow_the_urls_connection_overrides()
    {
        await using var world = await SimulatorWorld.StartAsync();
        world.Receiver.Respond = async r =>
        {
            if (r.PathAndQuery.Contains("slow", StringComparison.Ordinal) && world.Receiver.Received.Count(x => x.PathAndQuery.Contains("slow", StringComparison.Ordinal)) == 1)
            {
                await Task.Delay(1500, TestContext.Current.CancellationToken);
            }

            return r.PathAndQuery.Contains("broken", StringComparison.Ordinal) ? 503 : 204;
        };

        await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230304"), from: new PhoneNumber(SimulatorWorld.From), twiml: new Twilio.Types.Twiml("<Response/>"),
            statusCallback: new Uri(CallbackReceiver.PublicBaseUrl + "/broken#rc=3"), client: world.Twilio);
        await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230305"), from: new PhoneNumber(SimulatorWorld.From), twiml: new Twilio.Types.Twiml("<Response/>"),
            statusCallback: new Uri(CallbackReceiver.PublicBaseUrl + "/slow#rt=500&rc=1"), client: world.Twilio);
        await world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var broken = world.Control.Webhooks.Where(w => w.Url.EndsWith("/broken", StringComparison.Ordinal)).ToList();
        Assert.Equal([503, 503, 503, 503], broken.Select(w => w.ResponseStatus ?? 0));
        var slow = world.Control.Webhooks.Where(w => w.Url.EndsWith("/slow", StringComparison.Ordinal)).ToList();
        Assert.Equal([(null, "timeout"), (204, null)], slow.Select(w => (w.ResponseStatus, w.Error)));
        Assert.All(world.Receiver.Received, r => Assert.True(r.SignatureValid));
    }

    [Fact]
    public async Task A_4xx_is_retried_only_when_the_retry_policy_names_it()
    {
        await using var world = await SimulatorWorld.StartAsync();
        world.Receiver.Respond = _ => Task.FromResult(404);

        await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230307"), from: new PhoneNumber(SimulatorWorld.From), twiml: new Twilio.Types.Twiml("<Response/>"),
            statusCallback: new Uri(CallbackReceiver.PublicBaseUrl + "/strict#rc=2"), client: world.Twilio);
        await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230308"), from: new PhoneNumber(SimulatorWorld.From), twiml: new Twilio.Types.Twiml("<Response/>"),
            statusCallback: new Uri(CallbackReceiver.PublicBaseUrl + "/lenient#rc=2&rp=4xx,5xx"), client: world.Twilio);
        await world.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Single(world.Control.Webhooks, w => w.Url.EndsWith("/strict", StringComparison.Ordinal));
        Assert.Equal(3, world.Control.Webhooks.Count(w => w.Url.EndsWith("/lenient", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_webhook_log_is_served_by_the_admin_api()
    {
        await using var world = await SimulatorWorld.StartAsync();
        using var admin = new HttpClient { BaseAddress = world.Host.BaseAddress };
        var ct = TestContext.Current.CancellationToken;
        (await admin.PutAsJsonAsync("/_sim/webhooks/chaos", new { drop = 1.0 }, ct)).EnsureSuccessStatusCode();

        var call = await CreateAsync(world, "+15551230306");
        await world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var log = await admin.GetFromJsonAsync<List<WebhookAttempt>>("/_sim/webhooks", ct);
        var statusCallbacks = log!.Where(w => w.Kind == "status-callback").ToList();
        Assert.Equal(4, statusCallbacks.Count);
        Assert.All(statusCallbacks, w =>
        {
            Assert.True(w.Dropped);
            Assert.Null(w.ResponseStatus);
            Assert.Equal(call.Sid, w.CallSid);
            Assert.Equal(SimulatorWorld.StatusCallback, w.Url);
        });
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], statusCallbacks.Select(w => w.Parameters["CallStatus"]));
        Assert.DoesNotContain(world.Receiver.Received, r => r.PathAndQuery.StartsWith("/twilio/voice/status", StringComparison.Ordinal));
    }

    private static async Task<(int Generated, int Dropped, int Duplicated, int Delayed, int Reordered, int Received)> RunChaosAsync()
    {
        await using var world = await SimulatorWorld.StartAsync();
        world.Control.WebhookChaos = new WebhookChaos { Drop = 0.1, Duplicate = 0.1, Delay = 0.1, Reorder = 0.1, DelayBy = TimeSpan.FromSeconds(30), Seed = 42 };
        for (var i = 0; i < 150; i++)
        {
            await CallResource.CreateAsync(
                to: new PhoneNumber("+1555124" + i.ToString("D4", CultureInfo.InvariantCulture)), from: new PhoneNumber(SimulatorWorld.From),
                twiml: new Twilio.Types.Twiml("<Response/>"), statusCallback: new Uri(SimulatorWorld.StatusCallback),
                statusCallbackEvent: AllEvents, client: world.Twilio);
        }

        await world.AdvanceAsync(TimeSpan.FromMinutes(5));

        var log = world.Control.Webhooks.Where(w => w.Kind == "status-callback").ToList();
        var received = world.Receiver.Received.Count;
        return (
            log.Select(w => w.Order).Distinct().Count(),
            log.Count(w => w.Dropped),
            log.Count(w => w.Duplicate),
            log.Count(w => w.Delayed),
            log.Count(w => w.Reordered),
            received);
    }

    private static Task<CallResource> CreateAsync(SimulatorWorld world, string to) =>
        CallResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(SimulatorWorld.From), twiml: new Twilio.Types.Twiml("<Response/>"),
            statusCallback: new Uri(SimulatorWorld.StatusCallback), statusCallbackEvent: AllEvents, client: world.Twilio);
}
