using System.Diagnostics;

namespace VoiceMesh.ServiceDefaults.Tests;

public sealed class TracedCallbackUrlSpecs : IDisposable
{
    private readonly ActivitySource _source = new(nameof(TracedCallbackUrlSpecs));
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == nameof(TracedCallbackUrlSpecs),
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public TracedCallbackUrlSpecs() => ActivitySource.AddActivityListener(_listener);

    public void Dispose()
    {
        _listener.Dispose();
        _source.Dispose();
    }

    [Theory]
    [InlineData("https://voice.example.com/twilio/voice/status", "?")]
    [InlineData("https://voice.example.com/twilio/voice/status?requestId=r-1", "&")]
    public void Under_a_trace_the_url_carries_its_traceparent(string url, string separator)
    {
        using var activity = _source.StartActivity("dial")!;

        Assert.Equal($"{url}{separator}traceparent={activity.Id}", TracedCallbackUrl.For(url));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", activity.Id);
    }

    [Fact]
    public void Outside_a_trace_the_url_is_unchanged()
    {
        Assert.Null(Activity.Current);

        Assert.Equal("https://voice.example.com/twilio/voice/status", TracedCallbackUrl.For("https://voice.example.com/twilio/voice/status"));
    }

    [Fact]
    public void A_hierarchical_activity_id_is_not_a_traceparent_and_is_left_out()
    {
        using var activity = new Activity("legacy").SetIdFormat(ActivityIdFormat.Hierarchical).Start();

        Assert.Equal("https://voice.example.com/twilio/voice/status", TracedCallbackUrl.For("https://voice.example.com/twilio/voice/status"));
    }
}
