using System.Reflection;
using MassTransit;

namespace VoiceMesh.Gateway.Tests;

/// <summary>The bus, except that a publish waits for a confirm that never comes (until it is canceled).</summary>
public class StalledBus : DispatchProxy
{
    private IBus _inner = null!;

    public static IBus Over(IBus inner)
    {
        var bus = DispatchProxy.Create<IBus, StalledBus>();
        ((StalledBus)(object)bus)._inner = inner;
        return bus;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IPublishEndpoint.Publish) && targetMethod.ReturnType == typeof(Task))
        {
            var cancellation = args?.OfType<CancellationToken>().SingleOrDefault() ?? CancellationToken.None;
            return Task.Delay(Timeout.Infinite, cancellation);
        }

        return targetMethod.Invoke(_inner, args);
    }
}
