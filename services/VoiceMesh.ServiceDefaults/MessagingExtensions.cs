using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace VoiceMesh.ServiceDefaults;

public static class MessagingExtensions
{
    public const string ConnectionName = "RabbitMq";

    /// <summary>
    /// MassTransit on RabbitMQ: durable quorum queues with kebab-case names, publisher confirms, in-process retry
    /// with exponential backoff, then the endpoint's <c>_error</c> queue. Redelivery through the delayed-exchange
    /// plugin is not used: Debian's RabbitMQ does not ship it.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(
        this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set (environment ConnectionStrings__{ConnectionName}, an amqp:// URI).");
        }

        var brokerUri = new Uri(connectionString);
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            configure?.Invoke(x);
            x.AddConfigureEndpointsCallback((_, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                }

                endpoint.UseMessageRetry(r => r.Exponential(
                    10, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100)));
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(brokerUri, h => h.PublisherConfirmation = true);
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }
}
