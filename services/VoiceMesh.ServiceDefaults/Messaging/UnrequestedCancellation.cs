using MassTransit;
using Microsoft.Extensions.Logging;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// A consumer's work was canceled by a timeout of its own (a dependency's client, a pool, a limiter), not by the
/// delivery: the dependency was too slow, so the message is held as in an outage. The message names every exception
/// of the cause; it carries no inner exception, since MassTransit would replace an exception whose innermost cause is
/// a cancellation by a <c>ConsumerCanceledException</c> that names nothing.
/// </summary>
public sealed class UnrequestedCancellationException(string consumer, Exception cause)
    : Exception($"{consumer} was canceled by a timeout of its own: {Describe(cause)}")
{
    /// <summary>Each exception of the chain as <c>Type: message</c>, outermost first.</summary>
    private static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            parts.Add($"{e.GetType().Name}: {e.Message}");
        }

        return string.Join(" -> ", parts);
    }
}

internal sealed class UnrequestedCancellationClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception is UnrequestedCancellationException ? FailureKind.Outage : null;
}

/// <summary>
/// Turns a failure whose innermost cause is a cancellation the delivery did not request (a client's timeout, even
/// wrapped, as the Twilio SDK wraps a timed-out request) into an <see cref="UnrequestedCancellationException"/>,
/// inside the consumer's own pipe, and logs the whole failure. MassTransit replaces such a failure by a
/// <c>ConsumerCanceledException</c> that drops it, so without this the retry policy could not tell a slow
/// dependency from a bug and the cause would be lost from the log and the <c>_error</c> queue.
/// </summary>
internal sealed partial class UnrequestedCancellationFilter<TConsumer, TMessage>(ILogger logger)
    : IFilter<ConsumerConsumeContext<TConsumer, TMessage>>
    where TConsumer : class
    where TMessage : class
{
    public async Task Send(ConsumerConsumeContext<TConsumer, TMessage> context, IPipe<ConsumerConsumeContext<TConsumer, TMessage>> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception failure) when (failure.GetBaseException() is OperationCanceledException && !context.CancellationToken.IsCancellationRequested)
        {
            LogUnrequestedCancellation(logger, failure, typeof(TConsumer).Name, context.MessageId);
            throw new UnrequestedCancellationException(typeof(TConsumer).Name, failure);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("unrequested-cancellation");

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Consumer} was canceled by a timeout of its own while consuming {MessageId}; held as an outage")]
    private static partial void LogUnrequestedCancellation(ILogger logger, Exception exception, string consumer, Guid? messageId);
}

/// <summary>Adds <see cref="UnrequestedCancellationFilter{TConsumer, TMessage}"/> to every consumer of an endpoint as it is built.</summary>
internal sealed class UnrequestedCancellationObserver(ILoggerFactory loggers) : IConsumerConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class =>
        configurator.UseFilter(new UnrequestedCancellationFilter<TConsumer, TMessage>(loggers.CreateLogger<TConsumer>()));
}
