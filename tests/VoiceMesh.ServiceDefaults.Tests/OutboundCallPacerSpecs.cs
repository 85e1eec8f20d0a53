using Microsoft.Extensions.Time.Testing;

namespace VoiceMesh.ServiceDefaults.Tests;

public sealed class OutboundCallPacerSpecs
{
    private const string Account = "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef";

    private static OutboundCallPacer Pacer(FakeTimeProvider clock, double perSecond) => new(perSecond, clock);

    [Theory]
    [InlineData("POST", "/Calls.json", true)]
    [InlineData("POST", "/Conferences/standup/Participants.json", true)]
    [InlineData("POST", "/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA0123456789abcdef0123456789abcdef.json", false)]
    [InlineData("GET", "/Calls.json", false)]
    [InlineData("POST", "/Calls/CA0123456789abcdef0123456789abcdef.json", false)]
    [InlineData("POST", "/Queues/QU0123456789abcdef0123456789abcdef/Members/Front.json", false)]
    public void Only_the_requests_that_start_a_call_are_paced(string method, string path, bool paced) =>
        Assert.Equal(paced, OutboundCallPacer.StartsCall(new HttpRequestMessage(new HttpMethod(method), Account + path)));

    [Fact]
    public void Creates_asked_for_at_once_are_spaced_a_slightly_padded_period_apart()
    {
        var clock = new FakeTimeProvider();
        var pacer = Pacer(clock, perSecond: 5);

        var waits = Enumerable.Range(0, 6).Select(_ => pacer.Reserve().TotalMilliseconds).ToList();

        Assert.Equal([0, 208, 416, 624, 832, 1040], waits.Select(w => Math.Round(w)));
    }

    [Fact]
    public void No_rolling_second_holds_more_creates_than_the_rate()
    {
        var clock = new FakeTimeProvider();
        var pacer = Pacer(clock, perSecond: 5);
        var sends = new List<DateTimeOffset>();
        for (var i = 0; i < 50; i++)
        {
            sends.Add(clock.GetUtcNow() + pacer.Reserve());
            clock.Advance(TimeSpan.FromMilliseconds(i % 3 == 0 ? 0 : 150));
        }

        Assert.All(sends, s => Assert.True(sends.Count(o => o >= s && o < s.AddSeconds(1)) <= 5));
    }

    [Fact]
    public void An_idle_pacer_lets_the_next_create_go_at_once()
    {
        var clock = new FakeTimeProvider();
        var pacer = Pacer(clock, perSecond: 5);
        pacer.Reserve();

        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(TimeSpan.Zero, pacer.Reserve());
    }
}
