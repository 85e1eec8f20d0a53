using MassTransit;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// An endpoint that consumes a chosen number of messages at once and prefetches exactly that many from RabbitMQ, so
/// no message waits in this instance's buffer while another instance could take it.
/// </summary>
public abstract class InFlightConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected InFlightConsumerDefinition(int inFlight) => ConcurrentMessageLimit = inFlight;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = ConcurrentMessageLimit ?? 1;
            ConfigureRabbitMq(rabbit);
        }
    }

    /// <summary>What the endpoint needs from RabbitMQ besides its prefetch.</summary>
    protected virtual void ConfigureRabbitMq(IRabbitMqReceiveEndpointConfigurator endpoint)
    {
    }
}
