using MassTransit;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// The endpoint of a consumer whose messages start calls at Twilio, paced to <c>perSecond</c> by the service's
/// <c>OutboundCallPacer</c>: a single active consumer on its queue, so one instance's pace is the service's while the
/// other instances stand by, and about two seconds' worth of messages in flight, enough to keep the pace, few enough
/// that none waits for its slot longer than an HTTP attempt may take. Retries follow the shared endpoint policy.
/// </summary>
public abstract class PacedConsumerDefinition<TConsumer>(double perSecond)
    : InFlightConsumerDefinition<TConsumer>(Math.Clamp((int)Math.Ceiling(2 * perSecond), 2, 256))
    where TConsumer : class, IConsumer
{
    protected override void ConfigureRabbitMq(IRabbitMqReceiveEndpointConfigurator endpoint) =>
        endpoint.SingleActiveConsumer = true;
}
