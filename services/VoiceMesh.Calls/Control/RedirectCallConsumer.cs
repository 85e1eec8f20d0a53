using MassTransit;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Control;

public sealed class RedirectCallConsumer(TwilioCallControl twilio) : IConsumer<RedirectCall>
{
    public Task Consume(ConsumeContext<RedirectCall> context) =>
        twilio.Redirect(context.Message.CallSid, context.Message.Url, context.Message.Twiml);
}
