using MassTransit;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Control;

public sealed class RedirectCallConsumer(TwilioCallControl twilio, TimeProvider clock) : IConsumer<RedirectCall>
{
    public async Task Consume(ConsumeContext<RedirectCall> context)
    {
        var command = context.Message;
        if (CallCommandValidator.Validate(command) is { } violation)
        {
            await context.Publish(new CallCommandRejected
            {
                Command = nameof(RedirectCall),
                CallSid = command.CallSid,
                Field = violation.Field,
                Reason = violation.Reason,
                OccurredAt = clock.GetUtcNow(),
            });
            return;
        }

        await twilio.Redirect(command.CallSid, command.Url, command.Twiml);
    }
}
