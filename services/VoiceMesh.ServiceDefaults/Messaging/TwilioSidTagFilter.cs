using System.Diagnostics;
using MassTransit;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Puts the sids of every consumed message on the span MassTransit opened for it (<see cref="TwilioSpanTags"/>), so a
/// call's consumes are found by its CallSid; on every receive endpoint (<see cref="MessagingExtensions.AddMessaging"/>).
/// </summary>
public sealed class TwilioSidTagFilter<T> : IFilter<ConsumeContext<T>>
    where T : class
{
    public Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        TwilioSpanTags.Tag(Activity.Current, context.Message);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("twilio-sid-tags");
}
