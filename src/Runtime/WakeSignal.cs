using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace WebSocketHandoff
{
    /// <summary>
    /// A reusable, allocation-free wake-up for the one reader parked on <see cref="FrameBoundedStream"/>.
    /// The owner decides under its lock who wakes the parked reader, so each <see cref="Arm"/> is completed once.
    /// </summary>
    internal sealed class WakeSignal : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core;

        /// <summary>The parked reader's cancellation registration; the reader disposes it when it wakes.</summary>
        public CancellationTokenRegistration Registration;

        /// <summary>Prepares a new wait; the previous one must have been awaited.</summary>
        public ValueTask Arm()
        {
            _core.Reset();
            return new ValueTask(this, _core.Version);
        }

        /// <summary>Wakes the reader. Runs its continuation inline: it re-enters the stream only after taking the lock anew.</summary>
        public void Wake()
        {
            _core.RunContinuationsAsynchronously = false;
            _core.SetResult(true);
        }

        /// <summary>Wakes the reader off the caller's stack (the caller may be a detach that is rolling back).</summary>
        public void WakeAsynchronously()
        {
            _core.RunContinuationsAsynchronously = true;
            _core.SetResult(true);
        }

        /// <summary>Wakes the reader with an error, off the caller's stack (the caller may be a detach in progress).</summary>
        public void Fail(Exception error)
        {
            _core.RunContinuationsAsynchronously = true;
            _core.SetException(error);
        }

        void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _core.OnCompleted(continuation, state, token, flags);
    }
}
