using MassTransit;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Placement;

/// <summary>Validates a PlaceCall and places it, or records why not. Safe to run twice for one request.</summary>
public sealed class PlaceCallConsumer(PlaceCallValidator validator, CallPlacementService placements) : IConsumer<PlaceCall>
{
    public async Task Consume(ConsumeContext<PlaceCall> context)
    {
        var command = context.Message;
        var violations = validator.Validate(command);
        if (violations.Count > 0)
        {
            await placements.Reject(command, violations[0], context.CancellationToken);
            return;
        }

        var deliveryId = context.MessageId?.ToString("N") ?? command.RequestId;
        await placements.Place(command, deliveryId, context.CancellationToken);
    }
}

/// <summary>Placements at <c>Calls:CallsPerSecond</c>, one instance at a time (<see cref="PacedConsumerDefinition{TConsumer}"/>).</summary>
public sealed class PlaceCallConsumerDefinition(IOptions<CallsOptions> options)
    : PacedConsumerDefinition<PlaceCallConsumer>(options.Value.CallsPerSecond);
