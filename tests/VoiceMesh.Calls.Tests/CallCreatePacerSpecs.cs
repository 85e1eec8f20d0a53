using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Calls.Placement;

namespace VoiceMesh.Calls.Tests;

public sealed class CallCreatePacerSpecs
{
    private static CallCreatePacer Pacer(FakeTimeProvider clock, double perSecond) =>
        new(Options.Create(new CallsOptions { PublicBaseUrl = "https://voice.example.com", CallsPerSecond = perSecond }), clock);

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
