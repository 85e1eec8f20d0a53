using MassTransit;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Placement;

/// <summary>Validates a PlaceCall and places it, or records why not. Safe to run twice for one request.</summary>
public sealed class PlaceCallConsumer(
    PlaceCallValidator validator, CallPlacementService placements, IOptions<CallsOptions> options)
    : IConsumer<PlaceCall>
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
        await placements.Place(command, command.From ?? options.Value.DefaultFrom!, deliveryId, context.CancellationToken);
    }
}

/// <summary>
/// The placement queue has a single active consumer, so the calls-per-second limit of that one instance is the
/// account's rate while the other instances stand by. Retries follow the shared endpoint policy.
/// </summary>
public sealed class PlaceCallConsumerDefinition : ConsumerDefinition<PlaceCallConsumer>
{
    /// <summary>
    /// About two seconds' worth of placements in flight: enough to keep the pace, few enough that a create never
    /// waits for its slot longer than an HTTP attempt may take.
    /// </summary>
    public PlaceCallConsumerDefinition(IOptions<CallsOptions> options) =>
        ConcurrentMessageLimit = Math.Clamp((int)Math.Ceiling(2 * options.Value.CallsPerSecond), 2, 256);

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PlaceCallConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SingleActiveConsumer = true;
            rabbit.PrefetchCount = ConcurrentMessageLimit ?? 2;
        }
    }
}
