using MassTransit;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Control;

public sealed class HangUpCallConsumer(TwilioCallControl twilio) : IConsumer<HangUpCall>
{
    public Task Consume(ConsumeContext<HangUpCall> context) => twilio.HangUp(context.Message.CallSid);
}
