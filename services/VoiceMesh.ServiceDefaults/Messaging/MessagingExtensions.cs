using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VoiceMesh.ServiceDefaults;

public static class MessagingExtensions
{
    public const string ConnectionName = "RabbitMq";

    /// <summary>
    /// MassTransit on RabbitMQ: durable quorum queues with kebab-case names, publisher confirms, and one retry policy
    /// for every receive endpoint, by what the failure means (<see cref="FailureKind"/>):
    /// <list type="bullet">
    /// <item>an outage of a dependency (unreachable, or so slow that a timeout of its own canceled the work) is held: retried after 0.25, 0.5, 1, 2 s and then every
    /// <see cref="MessagingOptions.OutageRetryInterval"/> until it answers, for up to <see cref="MessagingOptions.OutageHold"/>. Every slot of the endpoint's
    /// concurrency limit held this way means the endpoint takes no new messages until the dependency is back;</item>
    /// <item>a conflict or an unknown failure is retried after <see cref="MessagingOptions.QuickRetries"/>;</item>
    /// <item>then the message goes to the endpoint's <c>_error</c> queue, carrying its exception.</item>
    /// </list>
    /// The two layers handle disjoint failures, so their counts never multiply. Redelivery through the
    /// delayed-exchange plugin is not used: Debian's RabbitMQ does not ship it.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configure">Further bus registrations; the consumers slices added with <see cref="AddConsumers"/> are registered too.</param>
    public static IHostApplicationBuilder AddMessaging(
        this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set (environment ConnectionStrings__{ConnectionName}, an amqp:// URI).");
        }

        builder.Services.AddValidatedOptions<MessagingOptions>();
        builder.Services.AddSingleton<IFailureClassifier, WorkInProgressClassifier>();
        builder.Services.AddSingleton<IFailureClassifier, UnrequestedCancellationClassifier>();
        builder.Services.TryAddSingleton<FailureClassification>();
        var brokerUri = new Uri(connectionString);
        var registrations = builder.Services.Select(d => d.ImplementationInstance).OfType<ConsumerRegistration>().ToList();
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            foreach (var registration in registrations)
            {
                registration.Register(x);
            }

            configure?.Invoke(x);
            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                }

                endpoint.UseRetryPolicy(
                    context.GetRequiredService<FailureClassification>(),
                    context.GetRequiredService<IOptions<MessagingOptions>>().Value,
                    context.GetRequiredService<ILoggerFactory>());
                endpoint.UseConsumeFilter(typeof(TwilioSidTagFilter<>), context);
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

    /// <summary>
    /// Registers a slice's consumers with the bus; <see cref="AddMessaging"/>, called after the slices, adds them.
    /// </summary>
    public static IServiceCollection AddConsumers(this IServiceCollection services, Action<IBusRegistrationConfigurator> register) =>
        services.AddSingleton(new ConsumerRegistration(register));

    /// <summary>
    /// The endpoint retry policy: outages held outside, conflicts and unknown failures retried quickly inside. A
    /// cancellation the delivery did not request (a dependency's own timeout) reaches it as an outage, with its cause
    /// (<see cref="UnrequestedCancellationException"/>).
    /// </summary>
    public static void UseRetryPolicy(
        this IReceiveEndpointConfigurator endpoint, FailureClassification failures, MessagingOptions options, ILoggerFactory loggers)
    {
        endpoint.ConnectConsumerConfigurationObserver(new UnrequestedCancellationObserver(loggers));
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(e => failures.Classify(e) == FailureKind.Outage);
            r.Intervals([.. options.OutageRetryDelays]);
        });
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(e => failures.Classify(e) != FailureKind.Outage);
            r.Intervals([.. options.QuickRetryDelays]);
        });
    }
}

/// <summary>One slice's bus registrations, collected by <see cref="MessagingExtensions.AddMessaging"/>.</summary>
public sealed record ConsumerRegistration(Action<IBusRegistrationConfigurator> Register);
