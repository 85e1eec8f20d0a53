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

        await placements.Place(command, command.From ?? options.Value.DefaultFrom!, context.CancellationToken);
    }
}

/// <summary>
/// The placement queue has a single active consumer, so the calls-per-second limit of that one instance is the
/// account's rate while the other instances stand by. A duplicate delivery of a request being placed waits.
/// </summary>
public sealed class PlaceCallConsumerDefinition : ConsumerDefinition<PlaceCallConsumer>
{
    public PlaceCallConsumerDefinition() => ConcurrentMessageLimit = 64;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PlaceCallConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SingleActiveConsumer = true;
            rabbit.PrefetchCount = 64;
        }

        consumerConfigurator.UseMessageRetry(r =>
        {
            r.Handle<PlacementInProgressException>();
            r.Intervals(1000, 2000, 5000, 10000, 20000, 30000, 30000);
        });
    }
}
