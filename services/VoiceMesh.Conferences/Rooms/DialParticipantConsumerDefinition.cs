using MassTransit;
using Microsoft.Extensions.Options;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>
/// One instance dials at a time (a single active consumer on the dial queue), so its pace
/// (<see cref="ConferencesOptions.DialsPerSecond"/>) is the service's; about two seconds' worth of dials in flight keep
/// the pace without a dial waiting for its slot longer than an HTTP attempt may take.
/// </summary>
public sealed class DialParticipantConsumerDefinition : ConsumerDefinition<DialParticipantConsumer>
{
    public DialParticipantConsumerDefinition(IOptions<ConferencesOptions> options) =>
        ConcurrentMessageLimit = Math.Clamp((int)Math.Ceiling(2 * options.Value.DialsPerSecond), 2, 256);

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DialParticipantConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SingleActiveConsumer = true;
            rabbit.PrefetchCount = ConcurrentMessageLimit ?? 2;
        }
    }
}
