using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>Spans carry the sids of their message, so Jaeger finds a call's traces by its CallSid.</summary>
public sealed class TwilioSpanTagSpecs
{
    private const string CallSid = "CA11111111111111111111111111111111";
    private const string AccountSid = "AC22222222222222222222222222222222";

    public sealed record StatusReported(string AccountSid, string CallSid, string? ConferenceSid, int RecordingSid);

    public sealed class StatusReportedConsumer : IConsumer<StatusReported>
    {
        public Task Consume(ConsumeContext<StatusReported> context) => Task.CompletedTask;
    }

    [Fact]
    public void A_message_s_sids_become_span_attributes_and_missing_or_non_text_ones_do_not()
    {
        using var source = new ActivitySource("span-tag-specs");
        using var listener = Listen(source.Name, _ => { });
        using var activity = source.StartActivity("webhook")!;

        TwilioSpanTags.Tag(activity, new StatusReported(AccountSid, CallSid, null, 7));

        Assert.Equal(CallSid, activity.GetTagItem(TwilioSpanTags.CallSid));
        Assert.Equal(AccountSid, activity.GetTagItem(TwilioSpanTags.AccountSid));
        Assert.Equal(nameof(StatusReported), activity.GetTagItem(TwilioSpanTags.MessageType));
        Assert.Null(activity.GetTagItem(TwilioSpanTags.ConferenceSid));
        Assert.Null(activity.GetTagItem(TwilioSpanTags.RecordingSid));
    }

    [Fact]
    public async Task The_span_of_a_consumed_message_carries_its_call_sid()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = Listen("MassTransit", stopped.Add);
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<StatusReportedConsumer>();
                x.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseConsumeFilter(typeof(TwilioSidTagFilter<>), context));
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(new StatusReported(AccountSid, CallSid, null, 7), TestContext.Current.CancellationToken);
        Assert.True(await harness.Consumed.Any<StatusReported>(TestContext.Current.CancellationToken));
        await harness.Stop(TestContext.Current.CancellationToken);

        var tagged = Assert.Single(stopped, a => (a.GetTagItem(TwilioSpanTags.CallSid) as string) == CallSid);
        Assert.Equal(ActivityKind.Consumer, tagged.Kind);
        Assert.DoesNotContain(stopped, a => a.Kind == ActivityKind.Producer && a.GetTagItem(TwilioSpanTags.CallSid) is not null);
    }

    private static ActivityListener Listen(string sourceName, Action<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
