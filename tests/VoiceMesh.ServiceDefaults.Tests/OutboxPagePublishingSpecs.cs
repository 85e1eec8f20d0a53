using System.Collections.Concurrent;
using System.Reflection;
using MassTransit;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>An outbox page goes to the broker at once and counts as sent only when every message was confirmed.</summary>
public sealed class OutboxPagePublishingSpecs
{
    [Fact]
    public async Task A_page_publishes_every_message_before_any_confirm_and_ends_with_the_last_confirm()
    {
        var bus = DispatchProxy.Create<IPublishEndpoint, UnconfirmedBus>();
        var broker = (UnconfirmedBus)(object)bus;
        var messages = Enumerable.Range(1, 3).Select(i => new OutboxMessage($"message {i}", Guid.NewGuid())).ToList();

        var publishing = bus.PublishPage(messages, TestContext.Current.CancellationToken);

        Assert.Equal(["message 1", "message 2", "message 3"], broker.Pending.Keys.Cast<string>().Order());
        broker.Confirm("message 1");
        broker.Confirm("message 3");
        Assert.False(publishing.IsCompleted);
        broker.Confirm("message 2");
        await publishing;
    }

    [Fact]
    public async Task A_refused_message_fails_the_page_so_the_daemon_retries_it()
    {
        var bus = DispatchProxy.Create<IPublishEndpoint, UnconfirmedBus>();
        var broker = (UnconfirmedBus)(object)bus;

        var publishing = bus.PublishPage([new OutboxMessage("kept", Guid.NewGuid()), new OutboxMessage("refused", Guid.NewGuid())], TestContext.Current.CancellationToken);
        broker.Confirm("kept");
        broker.Pending["refused"].SetException(new InvalidOperationException("nack"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => publishing);
    }

    /// <summary>A bus whose every publish waits for the test to confirm it.</summary>
    public class UnconfirmedBus : DispatchProxy
    {
        public ConcurrentDictionary<object, TaskCompletionSource> Pending { get; } = new();

        public void Confirm(object message) => Pending[message].SetResult();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IPublishEndpoint.Publish)
                ? Pending.GetOrAdd(args![0]!, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
                : throw new NotSupportedException(targetMethod?.Name);
    }
}
