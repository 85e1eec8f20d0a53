using MassTransit;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Control;

public sealed class HangUpCallConsumer(TwilioCallControl twilio, TimeProvider clock) : IConsumer<HangUpCall>
{
    public async Task Consume(ConsumeContext<HangUpCall> context)
    {
        if (CallCommandValidator.Validate(context.Message) is { } violation)
        {
            await context.Publish(new CallCommandRejected
            {
                Command = nameof(HangUpCall),
                CallSid = context.Message.CallSid,
                Field = violation.Field,
                Reason = violation.Reason,
                OccurredAt = clock.GetUtcNow(),
            });
            return;
        }

        await twilio.HangUp(context.Message.CallSid);
    }
}
