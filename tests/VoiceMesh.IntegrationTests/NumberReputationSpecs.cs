using System.Text.Json;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Number reputation end to end: calls placed from pool numbers at the simulator, which answers 60% of the calls from
/// most numbers and 10% from two; their signed status callbacks go through the gateway and the bus to the NumberPool
/// service, which judges each number against the rest of its pool over the pool's window.
/// </summary>
public sealed class NumberReputationSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const int Numbers = 10;
    private const int CallsPerNumber = 20;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    private static readonly int[] SanFrancisco = [415];
    private NumberPoolService _service = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _service = await NumberPoolService.Start(infrastructure, timeScale: 0.01);
        await _service.StartGateway();
    }

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Two_numbers_answered_far_less_than_their_pool_cool_down_within_the_window_and_the_others_do_not()
    {
        await _service.DefinePool("campaign", new
        {
            maxConcurrentCalls = 50,
            definedBy = "spec",
            reputation = new { windowSeconds = (int)Window.TotalSeconds, minCalls = 10, answerRateRatio = 0.5, shortCallSeconds = 10, cooldownSeconds = 3600 },
        });
        var provisioned = await _service.Provision(
            new { pool = "campaign", country = "US", areaCodes = SanFrancisco, count = Numbers, requestedBy = "spec" }, TimeSpan.FromSeconds(60));
        var numbers = provisioned.GetProperty("numbers").EnumerateArray().Select(n => n.GetProperty("phoneNumber").GetString()!).Order().ToList();
        var flagged = numbers.Take(2).ToHashSet();
        var management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);
        var vhost = new Uri(_service.RabbitMqUri).AbsolutePath.Trim('/');
        var probe = await QueueProbe.Bind(
            management, vhost, "VoiceMesh.Contracts.Numbers:NumberReputationDegraded", "reputation-probe", declareExchange: true);
        var control = _service.Simulator.Control;
        control.AddOutcome(new OutcomeRule { Match = "+1415556*", Outcome = CallOutcomeKind.Human, TalkSeconds = 40 });
        foreach (var number in numbers)
        {
            control.SetAnswerRate(new CallerAnswerRate { From = number, AnswerRate = flagged.Contains(number) ? 0.1 : 0.6 });
        }

        var twilio = _service.Simulator.CreateTwilioClient();
        var started = DateTimeOffset.UtcNow;
        for (var round = 0; round < CallsPerNumber; round++)
        {
            await Task.WhenAll(numbers.Select((number, i) => CallResource.CreateAsync(
                to: new PhoneNumber($"+1415556{round:D2}{i:D2}"), from: new PhoneNumber(number),
                twiml: new Twiml("<Response><Pause length=\"60\"/></Response>"),
                statusCallback: new Uri(NumberPoolService.PublicBaseUrl + "/twilio/voice/status"), client: twilio)));
        }

        var judged = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var number in numbers)
        {
            judged[number] = await _service.WaitFor(
                $"/api/numbers/{Uri.EscapeDataString(number)}",
                n => n.GetProperty("reputation").ValueKind == JsonValueKind.Object && n.GetProperty("reputation").GetProperty("calls").GetInt32() == CallsPerNumber,
                TimeSpan.FromSeconds(90));
        }

        foreach (var (number, read) in judged)
        {
            var reputation = read.GetProperty("reputation");
            if (flagged.Contains(number))
            {
                Assert.Equal("cooling-down", read.GetProperty("state").GetString());
                var evidence = reputation.GetProperty("lastCooldown");
                Assert.InRange(evidence.GetProperty("calls").GetInt32(), 10, CallsPerNumber);
                // Judged as the outcomes arrive, answered calls first (unanswered ones ring out): at most 2 answered of 10,
                // and the rest of the pool then above its final 60%.
                Assert.InRange(evidence.GetProperty("answerRate").GetDouble(), 0, 0.2);
                Assert.InRange(evidence.GetProperty("poolAnswerRate").GetDouble(), 0.4, 1);
                Assert.True(evidence.GetProperty("answerRate").GetDouble() < 0.5 * evidence.GetProperty("poolAnswerRate").GetDouble());
                Assert.True(evidence.GetProperty("averageTalkSeconds").GetDouble() is 0 or 40);
                Assert.Equal(0.1, reputation.GetProperty("answerRate").GetDouble(), 3);
                var cooledAt = read.GetProperty("history").EnumerateArray().Last().GetProperty("at").GetDateTimeOffset();
                Assert.InRange(cooledAt, started, started + Window);
                Assert.Equal("reputation", read.GetProperty("history").EnumerateArray().Last().GetProperty("by").GetString());
            }
            else
            {
                Assert.Equal("active", read.GetProperty("state").GetString());
                Assert.Equal(0.6, reputation.GetProperty("answerRate").GetDouble(), 3);
                Assert.Equal(JsonValueKind.Null, reputation.GetProperty("lastCooldown").ValueKind);
            }
        }

        // The outbox forwards from the event store in the async daemon: a little after the commit.
        var published = new HashSet<string>(StringComparer.Ordinal);
        for (var deadline = DateTime.UtcNow.AddSeconds(60); published.Count < flagged.Count && DateTime.UtcNow < deadline; await Task.Delay(250, Ct))
        {
            published.UnionWith((await probe.Get(10, remove: true, Ct))
                .Select(m => JsonSerializer.Deserialize<JsonElement>(m.GetProperty("payload").GetString()!).GetProperty("message"))
                .Select(m => m.GetProperty("phoneNumber").GetString()!));
        }

        Assert.Equal(flagged, published);
        var (status, lease) = await _service.Acquire("campaign", "+14155550142");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.DoesNotContain(lease.GetProperty("callerId").GetString()!, flagged);
    }
}
