using System;
using System.Buffers;
using System.IO;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace WebSocketHandoff
{
    /// <summary>
    /// The stream the BCL WebSocket runs on. It owns the caller's transport and stands between the two so that a
    /// handoff can happen at a frame boundary without losing a byte or letting a WebSocket byte follow it.
    /// </summary>
    internal sealed class FrameBoundedStream : Stream, IValueTaskSource
    {
        private const int BufferSize = 4096;

        // The longest prefix of a frame that can be given back: a 14-byte header and a legal control payload
        // (RFC 6455 §5.5). The WebSocket cannot act on a frame until all of that prefix has reached it.
        private const int RewindCapacity = 14 + 125;

        internal const string DetachedReadMessage =
            "The WebSocket was detached while this ReceiveAsync was pending. No byte after the handoff point was consumed: read them from the stream that the detach returned.";

        internal const string FailedReadMessage =
            "A detach of this WebSocket failed while this ReceiveAsync was pending; the connection was closed.";

        private const string DetachedWriteMessage =
            "The WebSocket was detached: it can no longer send. Write to the stream that the detach returned.";

        internal const string AbortedDuringDetachMessage =
            "The WebSocket was aborted or disposed during the detach: its connection was closed and nothing was handed off.";

        private const string WriteFailedMessage =
            "A WebSocket frame write failed before the handoff point: the frame may be incomplete on the wire, so the connection was closed instead of handed off.";

        private readonly Stream _transport;

        // A NetworkStream's flush does nothing (it has no buffer), and the WebSocket flushes after every frame: skipping the
        // call saves a transport access right after each send's system call, when the transport object is least likely
        // to be in the cache.
        private readonly bool _flushIsNoOp;
        private readonly object _lock = new object();
        // One wake-up for the WebSocket's reads, one for the detached stream's residual reads: the receive pending at a
        // detach may still be completing (its continuation queued, its token registered) when the detached stream's first
        // read parks, and neither must wake, cancel or re-arm the other.
        private readonly WakeSignal _signal = new WakeSignal();
        private readonly WakeSignal _residualSignal = new WakeSignal();
        private readonly Action _onFillCompleted;
        private readonly byte[] _rewind = new byte[RewindCapacity];

        private byte[]? _buffer;
        private int _start;
        private int _end;
        private bool _eof;
        private ExceptionDispatchInfo? _fillError;
        // At most one transport read runs at a time, a fill or a direct read: a direct read starts only when no fill is
        // in flight, and a fill only when the WebSocket's single read is not a direct read.
        private bool _fillInFlight;
        private ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter _fillAwaiter;

        private FrameTracker _tracker;
        private int _rewindStart;
        private int _rewindCount;
        private bool _rewindOverflow;
        private bool _dataPayloadHanded;
        private bool _messageOpen;
        private long _messagesHanded;
        private bool _directReadInFlight;

        private WakeSignal? _parked;

        private volatile ReadSide _readSide;
        private string _releasedMessage = DetachedReadMessage;
        // The write gate and whether a frame write is in flight, in one word: a control frame (ping, pong, close) written
        // while the gate is open takes no lock, only a compare-and-swap from "open, idle" to "open, in flight" (a lock pair
        // per frame was a measurable part of a 16-byte send). Whoever changes the gate does so with a compare-and-swap on
        // the same word, so a write either started before the gate left Open (and the detach waits for it) or does not
        // start on the fast path.
        // A data frame while the gate is open is not marked at all: it belongs to an application send, which the
        // HandoffWebSocket counts from before the WebSocket is asked until after the frame is written, and a detach waits
        // for those sends before it looks at this word. Two interlocked operations fewer per send (after a send's system
        // call they cost far more than their few nanoseconds on a warm core).
        private const int GateMask = 0b111;
        private const int InFlightBit = 0b1000;
        private int _writeState;

        // Data frames written so far, counted by their writer after the write (one writer at a time: the WebSocket's send
        // lock orders the frame writes, and makes the count exact for the next writer). A detach that begins while a send
        // is in flight notes it; a control frame that finds it moved since then knows that send's frame went out before it.
        private int _dataFramesWritten;
        private int _dataFramesAtDrain;

        // Application sends the WebSocket did not complete at once (their slow path), and the data frame count when the
        // latest of them was seen waiting. Under _lock. A control frame that reaches a draining gate holds the WebSocket's
        // send lock: if the send being drained waits inside the WebSocket with no frame written since, it may be waiting
        // for that lock, so the control frame goes out (ahead of the send's frame); otherwise it waits for the decision.
        private int _sendsWaiting;
        private int _dataFramesAtWait;

        // A frame write the transport completes later ends here, not in an async method: the WebSocket awaits this stream
        // (as an IValueTaskSource) and the transport's awaiter calls back directly, so an asynchronous completion costs one
        // callback, as on the BCL's own stream, rather than a second state machine. The WebSocket writes one frame at a
        // time, so one completion source serves every write.
        private readonly Action _onWriteCompleted;
        private ManualResetValueTaskSourceCore<bool> _writeCompletion;
        private ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter _pendingWrite;
        private WriteKind _pendingWriteKind;
        private bool _keepFinal;
        private Exception? _writeError;
        private TaskCompletionSource<bool>? _writesDrained;
        private TaskCompletionSource<bool>? _gateDecided;
        private bool _abortRequested;
        private bool _disposed;

        // The error Commit/Release threw for the owner's Abort/Dispose: the detach tells it from every other failure by
        // identity (a message or a type could be matched by an unrelated exception).
        private WebSocketException? _ownerAbortError;

        public FrameBoundedStream(Stream transport)
        {
            _transport = transport;
            _flushIsNoOp = transport.GetType() == typeof(System.Net.Sockets.NetworkStream);
            _onFillCompleted = OnFillCompleted;
            _onWriteCompleted = OnWriteCompleted;
            _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        }

        // Ordered: IsHandedOff is "Held or later".
        private enum ReadSide
        {
            /// <summary>Frames flow to the WebSocket.</summary>
            Attached,

            /// <summary>
            /// A detach has chosen the handoff point and waits, cancellably, for a frame write in flight. A WebSocket read
            /// parks; the WebSocket is still attached (its Dispose closes the transport) and a cancelled detach resumes.
            /// </summary>
            Paused,

            /// <summary>The handoff point is fixed; a WebSocket read parks (it must not fail yet: a failed read aborts the WebSocket, which would cancel a final send).</summary>
            Held,

            /// <summary>Detached: WebSocket reads fail; the residual belongs to the detached stream.</summary>
            Released,
        }

        private enum WriteGate
        {
            Open,

            /// <summary>
            /// A detach is deciding: a new WebSocket control frame waits for the decision (dropped if the detach commits,
            /// written if it is cancelled). A data frame (the application's last send, which the detach waits for) passes.
            /// </summary>
            Paused,

            /// <summary>Only the next data frame (the final message of SendAndDetachAsync) may pass; control frames are dropped.</summary>
            FinalOnly,

            Closed,

            /// <summary>
            /// A detach waits for an application send: frames pass until that send's data frame is written or starts (it moves
            /// the gate to <see cref="Paused"/> as it starts through this gate; a control frame that finds the data frame
            /// count moved since the detach began does so too), and control frames wait from then on. Control frames
            /// cannot wait before it: one holding the WebSocket's send lock would keep the send, and the detach, waiting.
            /// </summary>
            Draining,
        }

        /// <summary>What a frame write is, for what its end must do.</summary>
        private enum WriteKind
        {
            /// <summary>A data frame through the open gate: unmarked, only counted.</summary>
            Data,

            /// <summary>A frame marked in flight in <see cref="_writeState"/>: a control frame, or a data frame during a detach.</summary>
            Marked,

            /// <summary>A marked data frame, counted too.</summary>
            MarkedData,

            /// <summary>The final message of SendAndDetachAsync: the gate closes behind it.</summary>
            Final,
        }

        private enum ReadStep
        {
            Done,
            Direct,
            Park,
        }

        /// <summary>Bytes of the current frame handed to the WebSocket that a detach would give back (for tests).</summary>
        internal int HandedBytesOfCurrentFrame
        {
            get
            {
                lock (_lock)
                {
                    return _rewindCount;
                }
            }
        }

        /// <summary>Whether a WebSocket frame write is in flight on the transport (for tests).</summary>
        internal bool WriteInFlight => (Volatile.Read(ref _writeState) & InFlightBit) != 0;

        private WriteGate Gate => (WriteGate)(Volatile.Read(ref _writeState) & GateMask);

        private void SetWriteGate(WriteGate gate)
        {
            int state;
            do
            {
                state = Volatile.Read(ref _writeState);
            }
            while (Interlocked.CompareExchange(ref _writeState, (state & ~GateMask) | (int)gate, state) != state);
        }

        /// <summary>Whether the handoff point is fixed: from then on a failed WebSocket read is the detach's doing.</summary>
        public bool IsHandedOff => _readSide >= ReadSide.Held;

        /// <summary>Whether the owner aborted or disposed the WebSocket (sticky).</summary>
        public bool AbortRequested
        {
            get
            {
                lock (_lock)
                {
                    return _abortRequested;
                }
            }
        }

        /// <summary>Whether <paramref name="error"/> is the one <see cref="Commit"/> or <see cref="Release"/> threw because the owner aborted.</summary>
        public bool IsOwnerAbortError(Exception error)
        {
            lock (_lock)
            {
                return _ownerAbortError is not null && ReferenceEquals(error, _ownerAbortError);
            }
        }

        private WebSocketException OwnerAbortErrorLocked()
            => _ownerAbortError = new WebSocketException(WebSocketError.InvalidState, AbortedDuringDetachMessage);

        /// <summary>Whether the transport was closed: the owner aborted or disposed the WebSocket, or the WebSocket disposed its stream.</summary>
        public bool IsClosed
        {
            get
            {
                lock (_lock)
                {
                    return _abortRequested || _disposed;
                }
            }
        }

        /// <summary>The transport this stream owns.</summary>
        public Stream Transport => _transport;

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        // ---- Read side: the WebSocket's reads ----

        public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (destination.IsEmpty)
            {
                return new ValueTask<int>(0);
            }

            ReadStep step;
            int result;
            ValueTask wait = default;
            lock (_lock)
            {
                step = NextReadStepLocked(destination.Span, out result);
                if (step == ReadStep.Park)
                {
                    wait = ParkLocked(_signal, cancellationToken);
                }
            }

            return step switch
            {
                ReadStep.Done => new ValueTask<int>(result),
                ReadStep.Direct => DirectReadAsync(destination.Slice(0, result), cancellationToken),
                _ => ReadAfterWakeAsync(destination, wait, cancellationToken),
            };
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
            => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<int> ReadAfterWakeAsync(Memory<byte> destination, ValueTask wait, CancellationToken cancellationToken)
        {
            while (true)
            {
                try
                {
                    await wait.ConfigureAwait(false);
                }
                finally
                {
                    _signal.Registration.Dispose();
                }

                ReadStep step;
                int result;
                lock (_lock)
                {
                    step = NextReadStepLocked(destination.Span, out result);
                    if (step == ReadStep.Park)
                    {
                        wait = ParkLocked(_signal, cancellationToken);
                    }
                }

                if (step == ReadStep.Done)
                {
                    return result;
                }

                if (step == ReadStep.Direct)
                {
                    return await DirectReadAsync(destination.Slice(0, result), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Decides what a WebSocket read does next: take buffered bytes, read payload directly, or park.</summary>
        private ReadStep NextReadStepLocked(Span<byte> destination, out int result)
        {
            while (true)
            {
                result = 0;
                if (_readSide == ReadSide.Released)
                {
                    throw new IOException(_releasedMessage);
                }

                if (_readSide == ReadSide.Held)
                {
                    return ReadStep.Park;
                }

                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_readSide == ReadSide.Paused)
                {
                    return ReadStep.Park;
                }

                if (_start < _end)
                {
                    result = HandLocked(destination);
                    return ReadStep.Done;
                }

                _fillError?.Throw();
                if (_eof)
                {
                    return ReadStep.Done;
                }

                if (_dataPayloadHanded && !_tracker.InHeader && !_fillInFlight)
                {
                    // More payload of a data frame the WebSocket has begun to deliver: read it straight into the
                    // WebSocket's buffer (no extra copy of large payloads), never past the frame end. Such bytes cannot
                    // be taken back, but a detach is refused in the middle of a message anyway. The first payload bytes
                    // of a frame come through the buffer instead, so that until then the frame can still be given back.
                    ulong remaining = _tracker.PayloadRemaining;
                    result = (ulong)destination.Length < remaining ? destination.Length : (int)remaining;
                    _directReadInFlight = true;
                    return ReadStep.Direct;
                }

                if (_fillInFlight || !StartFillLocked())
                {
                    return ReadStep.Park;
                }
            }
        }

        /// <summary>Hands the WebSocket buffered bytes, never a byte past the end of the current frame.</summary>
        private int HandLocked(Span<byte> destination)
        {
            int copied = 0;
            bool frameEnded = false;
            while (!frameEnded && copied < destination.Length && _start < _end)
            {
                bool header = _tracker.InHeader;
                ReadOnlySpan<byte> source = _buffer.AsSpan(_start, Math.Min(_end - _start, destination.Length - copied));
                int n = _tracker.Advance(source, out frameEnded);
                source = source.Slice(0, n);
                source.CopyTo(destination.Slice(copied));
                if (header || _tracker.IsControl)
                {
                    Remember(source);
                }
                else
                {
                    _dataPayloadHanded = true;
                }

                _start += n;
                copied += n;
            }

            if (frameEnded)
            {
                OnFrameHandedLocked();
            }

            return copied;
        }

        /// <summary>
        /// Keeps a copy of the bytes of the current frame that the WebSocket cannot have acted on yet (header, control
        /// payload), so that a detach can put them back in front of the residual.
        /// </summary>
        private void Remember(ReadOnlySpan<byte> bytes)
        {
            if (_rewindOverflow || _rewindCount + bytes.Length > RewindCapacity)
            {
                _rewindOverflow = true;
                return;
            }

            bytes.CopyTo(_rewind.AsSpan(_rewindCount));
            _rewindCount += bytes.Length;
        }

        private void OnFrameHandedLocked()
        {
            if (!_tracker.IsControl)
            {
                if (_tracker.IsFinal)
                {
                    _messagesHanded++;
                    _messageOpen = false;
                }
                else
                {
                    _messageOpen = true;
                }
            }

            _tracker.StartNextFrame();
            _rewindCount = 0;
            _rewindOverflow = false;
            _dataPayloadHanded = false;
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<int> DirectReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            int n;
            try
            {
                n = await _transport.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lock (_lock)
                {
                    _directReadInFlight = false;
                }

                throw;
            }

            lock (_lock)
            {
                _directReadInFlight = false;
                if (n == 0)
                {
                    _eof = true;
                }
                else
                {
                    _dataPayloadHanded = true;
                    _tracker.Advance(destination.Span.Slice(0, n), out bool frameEnded);
                    if (frameEnded)
                    {
                        OnFrameHandedLocked();
                    }
                }
            }

            return n;
        }

        /// <summary>Starts one transport read into the empty buffer; returns true when it completed at once.</summary>
        private bool StartFillLocked()
        {
            // Fills are never cancelled: whatever the transport delivers lands in the buffer, so it is never lost.
            _start = 0;
            _end = 0;
            _fillInFlight = true;
            try
            {
                ValueTask<int> read = _transport.ReadAsync(_buffer.AsMemory(), CancellationToken.None);
                _fillAwaiter = read.ConfigureAwait(false).GetAwaiter();
            }
            catch (Exception ex)
            {
                _fillInFlight = false;
                _fillError = ExceptionDispatchInfo.Capture(ex);
                return true;
            }

            if (_fillAwaiter.IsCompleted)
            {
                CompleteFillLocked();
                return true;
            }

            _fillAwaiter.UnsafeOnCompleted(_onFillCompleted);
            return false;
        }

        private void OnFillCompleted()
        {
            WakeSignal? parked;
            lock (_lock)
            {
                CompleteFillLocked();
                parked = TakeParkedReaderLocked();
            }

            parked?.Wake();
        }

        private void CompleteFillLocked()
        {
            try
            {
                int n = _fillAwaiter.GetResult();
                if (n == 0)
                {
                    _eof = true;
                }
                else
                {
                    _end = n;
                }
            }
            catch (Exception ex)
            {
                _fillError = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                _fillAwaiter = default;
                _fillInFlight = false;
            }

            if (_disposed)
            {
                ReturnBufferLocked();
            }
        }

        private ValueTask ParkLocked(WakeSignal signal, CancellationToken cancellationToken)
        {
            _parked = signal;
            ValueTask wait = signal.Arm();
            if (cancellationToken.CanBeCanceled)
            {
                signal.Registration = signal == _signal
                    ? cancellationToken.UnsafeRegister(static (state, token) => ((FrameBoundedStream)state!).CancelParkedReader(((FrameBoundedStream)state!)._signal, token), this)
                    : cancellationToken.UnsafeRegister(static (state, token) => ((FrameBoundedStream)state!).CancelParkedReader(((FrameBoundedStream)state!)._residualSignal, token), this);
            }

            return wait;
        }

        private WakeSignal? TakeParkedReaderLocked()
        {
            WakeSignal? parked = _parked;
            _parked = null;
            return parked;
        }

        private void CancelParkedReader(WakeSignal signal, CancellationToken token)
        {
            lock (_lock)
            {
                // Only the reader this token was given for: another may be parked by now.
                if (_parked != signal)
                {
                    return;
                }

                _parked = null;
            }

            signal.Fail(new OperationCanceledException(token));
        }

        // ---- Write side: the WebSocket's writes ----

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
        {
            // ManagedWebSocket writes one whole frame per call, so the first byte tells the frame's kind.
            bool data = !frame.IsEmpty && (frame.Span[0] & 0x08) == 0;
            if (data)
            {
                if (Gate == WriteGate.Open)
                {
                    // An application send's frame with no detach deciding: a detach that begins now waits for the send
                    // (see _writeState), so the frame needs no mark, only a count once written.
                    return StartWrite(frame, WriteKind.Data, cancellationToken);
                }
            }
            else if (Interlocked.CompareExchange(ref _writeState, (int)WriteGate.Open | InFlightBit, (int)WriteGate.Open) == (int)WriteGate.Open)
            {
                // The gate is open: no detach is deciding, and none can commit before this write ends (it waits for it).
                return StartWrite(frame, WriteKind.Marked, cancellationToken);
            }

            WriteKind kind = data ? WriteKind.MarkedData : WriteKind.Marked;
            lock (_lock)
            {
                if (Gate == WriteGate.Draining && (data || _dataFramesWritten != _dataFramesAtDrain))
                {
                    // The application's last send before the detach has its frame on the way (this one), or written (a
                    // control frame that queued up behind it): control frames from now on wait.
                    SetWriteGate(WriteGate.Paused);
                }

                if (!data && (Gate == WriteGate.Paused || (Gate == WriteGate.Draining && !SendWaitsAheadOfItsFrameLocked())))
                {
                    // The WebSocket layer's own frames (the application's sends are drained, or the last one has its frame
                    // on the way or, as far as can be told, already written: see SendWaitsAheadOfItsFrameLocked). Holding it,
                    // rather than dropping it, means a cancelled detach loses no pong.
                    _gateDecided ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    return WriteAfterGateDecidedAsync(frame, _gateDecided.Task, cancellationToken);
                }

                if (Gate is not (WriteGate.Open or WriteGate.Paused or WriteGate.Draining))
                {
                    bool close = !frame.IsEmpty && (frame.Span[0] & 0x0F) == 0x08;
                    if (!data && !close)
                    {
                        // Keep-alive pings and pongs after the handoff point: the WebSocket layer's own traffic, which
                        // must not reach what is now a raw stream.
                        return default;
                    }

                    // A close frame comes from CloseAsync/CloseOutputAsync that began before the detach: it fails, so
                    // that the close is never reported done for a frame that did not go out.
                    if (close || Gate == WriteGate.Closed)
                    {
                        return ValueTask.FromException(new IOException(DetachedWriteMessage));
                    }

                    kind = WriteKind.Final;
                }

                Interlocked.Or(ref _writeState, InFlightBit);
            }

            return StartWrite(frame, kind, cancellationToken);
        }

        private ValueTask StartWrite(ReadOnlyMemory<byte> frame, WriteKind kind, CancellationToken cancellationToken)
        {
            ValueTask write;
            try
            {
                write = _transport.WriteAsync(frame, cancellationToken);
            }
            catch (Exception ex)
            {
                EndWrite(kind, ex);
                throw;
            }

            if (write.IsCompletedSuccessfully)
            {
                write.GetAwaiter().GetResult();
                EndWrite(kind, null);
                return default;
            }

            return ContinueWrite(write, kind);
        }

        /// <summary>A frame write the transport has not completed at once (or failed at once): it ends in <see cref="OnWriteCompleted"/>.</summary>
        private ValueTask ContinueWrite(ValueTask write, WriteKind kind)
        {
            _writeCompletion.Reset();
            _pendingWriteKind = kind;
            _pendingWrite = write.ConfigureAwait(false).GetAwaiter();
            _pendingWrite.UnsafeOnCompleted(_onWriteCompleted);
            return new ValueTask(this, _writeCompletion.Version);
        }

        private void OnWriteCompleted()
        {
            WriteKind kind = _pendingWriteKind;
            try
            {
                _pendingWrite.GetResult();
            }
            catch (Exception ex)
            {
                _pendingWrite = default;
                EndWrite(kind, ex);
                _writeCompletion.SetException(ex);
                return;
            }

            _pendingWrite = default;
            EndWrite(kind, null);
            _writeCompletion.SetResult(true);
        }

        void IValueTaskSource.GetResult(short token) => _writeCompletion.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _writeCompletion.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _writeCompletion.OnCompleted(continuation, state, token, flags);

        private async ValueTask WriteAfterGateDecidedAsync(ReadOnlyMemory<byte> frame, Task decided, CancellationToken cancellationToken)
        {
            await decided.WaitAsync(cancellationToken).ConfigureAwait(false);
            await WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Ends a transport write; a failed one (faulted or cancelled) may have left a partial frame, which is remembered.</summary>
        private void EndWrite(WriteKind kind, Exception? error)
        {
            if (error is null && kind is WriteKind.Data or WriteKind.MarkedData or WriteKind.Final)
            {
                _dataFramesWritten++;
            }

            if (kind == WriteKind.Data)
            {
                if (error is not null)
                {
                    lock (_lock)
                    {
                        _writeError ??= error;
                    }
                }

                return;
            }

            TaskCompletionSource<bool>? drained;
            bool final = kind == WriteKind.Final;
            if (!final && error is null)
            {
                // The common end, without a lock: clear the bit, then look for a detach waiting for it (it publishes its
                // wait, then looks at the bit again: one of the two sees the other).
                Interlocked.And(ref _writeState, ~InFlightBit);
                if (Volatile.Read(ref _writesDrained) is null)
                {
                    return;
                }
            }

            lock (_lock)
            {
                Interlocked.And(ref _writeState, ~InFlightBit);
                _writeError ??= error;
                if (final)
                {
                    SetWriteGate(WriteGate.Closed);
                }

                drained = _writesDrained;
                _writesDrained = null;
            }

            drained?.TrySetResult(true);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
            => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            // ManagedWebSocket flushes after every frame it writes, so this takes no lock (one was a measurable part of a
            // send: 20-odd ns). The gate is read once: a detach that closes it just after this still has the transport
            // flushed once more, as it would have been with the check under a lock and the flush after it.
            if (_flushIsNoOp || Gate is WriteGate.FinalOnly or WriteGate.Closed)
            {
                return Task.CompletedTask;
            }

            return _transport.FlushAsync(cancellationToken);
        }

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        // ---- The handoff ----

        /// <summary>
        /// A detach starts waiting for the application's sends in flight: from the last one's frame on, the WebSocket
        /// layer's control frames wait for the detach's decision instead of reaching the transport. Undone by <see cref="Resume"/>.
        /// </summary>
        public void BeginDrain()
        {
            lock (_lock)
            {
                // The data frames so far: the send being waited for has written its frame once the count moves on (or,
                // if it has already, the count read here may be one short, which holds the control frames too: the
                // send's frame is out, so nothing waits behind them).
                _dataFramesAtDrain = _dataFramesWritten;

                // A control frame claims the word through the open gate with a compare-and-swap: swap on one reading, or
                // read again.
                int state;
                do
                {
                    state = Volatile.Read(ref _writeState);
                    if ((WriteGate)(state & GateMask) != WriteGate.Open)
                    {
                        return;
                    }
                }
                while (Interlocked.CompareExchange(ref _writeState, (state & ~GateMask) | (int)WriteGate.Draining, state) != state);
            }
        }

        /// <summary>
        /// An application send the WebSocket did not complete at once is waiting (for its frame write, or for the
        /// WebSocket's send lock). Called on the send's slow path only; a control frame held at a draining gate is
        /// re-examined, since the send may be waiting for the lock that frame holds.
        /// </summary>
        public void NoteSendParked()
        {
            TaskCompletionSource<bool>? held = null;
            lock (_lock)
            {
                _sendsWaiting++;
                _dataFramesAtWait = _dataFramesWritten;
                if (Gate == WriteGate.Draining)
                {
                    held = _gateDecided;
                    _gateDecided = null;
                }
            }

            held?.TrySetResult(true);
        }

        /// <summary>The send noted by <see cref="NoteSendParked"/> has ended.</summary>
        public void NoteSendUnparked()
        {
            lock (_lock)
            {
                _sendsWaiting--;
            }
        }

        /// <summary>
        /// At a draining gate, for a control frame: whether the send the detach waits for is waiting inside the WebSocket
        /// with no data frame written since, so possibly for the send lock this frame's writer holds (then holding the frame
        /// would hold the send, and the detach, for good). Otherwise that send's frame is on the wire already (written
        /// before the detach began, the send not yet returned) or it has not reached the WebSocket yet (it will, and wait
        /// for the lock, which wakes this frame): the frame waits for the decision.
        /// </summary>
        private bool SendWaitsAheadOfItsFrameLocked() => _sendsWaiting > 0 && _dataFramesWritten == _dataFramesAtWait;

        /// <summary>
        /// Chooses the handoff point at the end of the last frame handed to the WebSocket, or throws
        /// <see cref="InvalidOperationException"/> and changes nothing when bytes past that point cannot be taken back.
        /// From here on the WebSocket gets no byte and new WebSocket writes wait, until <see cref="Commit"/> or <see cref="Resume"/>.
        /// </summary>
        public void Hold(long messagesReceivedByApplication, bool keepFinal)
        {
            lock (_lock)
            {
                if (_disposed || _abortRequested)
                {
                    throw new InvalidOperationException(
                        "The WebSocket was aborted or disposed before the detach, and its transport with it: there is nothing left to detach.");
                }

                if (_writeError is not null)
                {
                    throw new InvalidOperationException(
                        "A WebSocket frame write failed: the WebSocket is failing and the connection cannot be handed off cleanly.", _writeError);
                }

                if (_directReadInFlight || _dataPayloadHanded || _messageOpen || _messagesHanded != messagesReceivedByApplication)
                {
                    throw new InvalidOperationException(
                        "A message is arriving and ReceiveAsync is delivering it: detaching now would lose or duplicate its bytes. " +
                        "Receive until EndOfMessage, then detach.");
                }

                if (_rewindOverflow)
                {
                    throw new InvalidOperationException(
                        "The WebSocket is in the middle of a malformed frame and will fail with a protocol error; the connection cannot be handed off cleanly.");
                }

                _readSide = ReadSide.Paused;
                SetWriteGate(WriteGate.Paused);
                _keepFinal = keepFinal;
                _rewindStart = 0;
            }
        }

        /// <summary>
        /// Waits for a frame write in flight (the WebSocket writes one whole frame per write, so no partial frame is left).
        /// Cancellable: the caller then calls <see cref="Resume"/>. Also ends when the transport is disposed or the owner aborts.
        /// </summary>
        public async ValueTask WaitForWriteInFlightAsync(CancellationToken cancellationToken)
        {
            Task? wait = null;
            lock (_lock)
            {
                if (WriteInFlight && !_disposed && !_abortRequested)
                {
                    var drained = _writesDrained ?? new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    Volatile.Write(ref _writesDrained, drained);

                    // A write ending on the fast path clears the bit, then looks for this wait: look at the bit again now
                    // that the wait is published, in case it ended in between.
                    Interlocked.MemoryBarrier();
                    if (!WriteInFlight)
                    {
                        _writesDrained = null;
                        drained.TrySetResult(true);
                    }

                    wait = drained.Task;
                }
            }

            if (wait is not null)
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Undoes <see cref="BeginDrain"/> and <see cref="Hold"/> for a detach that was cancelled or refused: frames and writes flow again.</summary>
        public void Resume()
        {
            WakeSignal? parked;
            TaskCompletionSource<bool>? decided;
            lock (_lock)
            {
                bool readPaused = _readSide == ReadSide.Paused;
                if (!readPaused && Gate is not (WriteGate.Paused or WriteGate.Draining))
                {
                    return;
                }

                // A reader parked only for the pause is woken; one waiting for a transport read (a detach that was still
                // waiting for sends) goes on waiting for it.
                parked = null;
                if (readPaused)
                {
                    _readSide = ReadSide.Attached;
                    parked = TakeParkedReaderLocked();
                }

                SetWriteGate(WriteGate.Open);
                decided = _gateDecided;
                _gateDecided = null;
            }

            decided?.TrySetResult(true);
            parked?.WakeAsynchronously();
        }

        /// <summary>
        /// Fixes the handoff point once no frame write is in flight: the WebSocket's writes are dropped from now on (but for
        /// the final data frame when the hold kept one) and its Dispose no longer closes the transport. Throws
        /// <see cref="WebSocketException"/> when the owner aborted the WebSocket or the last frame write failed.
        /// </summary>
        public void Commit()
        {
            TaskCompletionSource<bool>? decided;
            lock (_lock)
            {
                // The owner's abort first: it also makes the write in flight fail.
                if (_abortRequested)
                {
                    throw OwnerAbortErrorLocked();
                }

                if (_writeError is not null)
                {
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, WriteFailedMessage, _writeError);
                }

                if (_disposed)
                {
                    throw new WebSocketException(WebSocketError.InvalidState, AbortedDuringDetachMessage);
                }

                if (WriteInFlight)
                {
                    throw new InvalidOperationException("Internal error: a WebSocket write is in flight at the handoff point.");
                }

                SetWriteGate(_keepFinal ? WriteGate.FinalOnly : WriteGate.Closed);
                _readSide = ReadSide.Held;
                decided = _gateDecided;
                _gateDecided = null;
            }

            // A WebSocket write that waited for the decision now sees the closed gate: a control frame is dropped.
            decided?.TrySetResult(true);
        }

        /// <summary>Flushes a buffering transport: it may still hold the last frame; the WebSocket's own flush was gated.</summary>
        public Task FlushAfterCommitAsync() => _transport.FlushAsync();

        /// <summary>
        /// Completes the handoff: the WebSocket's reads end (a parked or later read fails saying the socket was detached)
        /// and the transport belongs to the detached stream. Throws <see cref="WebSocketException"/> if the owner aborted
        /// the WebSocket during the detach.
        /// </summary>
        public void Release()
        {
            WakeSignal? parked;
            lock (_lock)
            {
                if (_abortRequested)
                {
                    throw OwnerAbortErrorLocked();
                }

                _readSide = ReadSide.Released;
                parked = TakeParkedReaderLocked();
            }

            parked?.Fail(new IOException(DetachedReadMessage));
        }

        /// <summary>Ends a failed detach: closes the transport and fails a parked WebSocket read. Nothing is handed off.</summary>
        public void Fail()
        {
            WakeSignal? parked;
            TaskCompletionSource<bool>? decided;
            lock (_lock)
            {
                _readSide = ReadSide.Released;
                _releasedMessage = FailedReadMessage;
                SetWriteGate(WriteGate.Closed);
                decided = _gateDecided;
                _gateDecided = null;
                parked = TakeParkedReaderLocked();
                _disposed = true;
                ReturnBufferLocked();
            }

            decided?.TrySetResult(true);
            _transport.Dispose();
            parked?.Fail(new IOException(FailedReadMessage));
        }

        /// <summary>
        /// The owner aborts or disposes the WebSocket. Before a detach nothing happens here (the WebSocket closes its
        /// stream); during one the transport is closed, which ends the detach; after one the transport is left alone.
        /// </summary>
        public void AbortByOwner()
        {
            bool close = false;
            TaskCompletionSource<bool>? drained = null;
            TaskCompletionSource<bool>? decided = null;
            lock (_lock)
            {
                _abortRequested = true;
                if (_readSide is ReadSide.Paused or ReadSide.Held)
                {
                    close = true;
                    SetWriteGate(WriteGate.Closed);
                    drained = _writesDrained;
                    _writesDrained = null;
                    decided = _gateDecided;
                    _gateDecided = null;
                }
            }

            if (close)
            {
                drained?.TrySetResult(true);
                decided?.TrySetResult(true);
                _transport.Dispose();
            }
        }

        /// <summary>
        /// Reads what the detach left behind: the rewound frame prefix, the buffered bytes, then the result of a
        /// transport read that was in flight. Returns -1 once all of it is drained and reads may go to the transport.
        /// </summary>
        public ValueTask<int> ReadResidualAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            ValueTask wait;
            lock (_lock)
            {
                if (TryReadResidualLocked(destination.Span, out int result))
                {
                    return new ValueTask<int>(result);
                }

                wait = ParkLocked(_residualSignal, cancellationToken);
            }

            return ReadResidualAfterWakeAsync(destination, wait, cancellationToken);
        }

        private async ValueTask<int> ReadResidualAfterWakeAsync(Memory<byte> destination, ValueTask wait, CancellationToken cancellationToken)
        {
            while (true)
            {
                try
                {
                    await wait.ConfigureAwait(false);
                }
                finally
                {
                    _residualSignal.Registration.Dispose();
                }

                lock (_lock)
                {
                    if (TryReadResidualLocked(destination.Span, out int result))
                    {
                        return result;
                    }

                    wait = ParkLocked(_residualSignal, cancellationToken);
                }
            }
        }

        private bool TryReadResidualLocked(Span<byte> destination, out int result)
        {
            result = 0;
            if (destination.IsEmpty)
            {
                return true;
            }

            if (_rewindStart < _rewindCount)
            {
                result = Math.Min(destination.Length, _rewindCount - _rewindStart);
                _rewind.AsSpan(_rewindStart, result).CopyTo(destination);
                _rewindStart += result;
                return true;
            }

            if (_start < _end)
            {
                result = Math.Min(destination.Length, _end - _start);
                _buffer.AsSpan(_start, result).CopyTo(destination);
                _start += result;
                return true;
            }

            if (_fillInFlight)
            {
                return false;
            }

            if (_fillError is not null)
            {
                ExceptionDispatchInfo error = _fillError;
                _fillError = null;
                result = -1;
                ReturnBufferLocked();
                error.Throw();
            }

            result = _eof ? 0 : -1;
            ReturnBufferLocked();
            return true;
        }

        /// <summary>
        /// Gives the read buffer back to the pool when no WebSocket was built on this stream (the BCL rejected the
        /// arguments). The transport is not touched: it is still the caller's.
        /// </summary>
        public void ReturnUnusedBuffer()
        {
            lock (_lock)
            {
                _disposed = true;
                ReturnBufferLocked();
            }
        }

        /// <summary>Called when the detached stream is disposed: the buffer goes back to the pool once no read targets it.</summary>
        public void Retire()
        {
            lock (_lock)
            {
                _disposed = true;
                if (!_fillInFlight)
                {
                    ReturnBufferLocked();
                }
            }
        }

        private void ReturnBufferLocked()
        {
            if (_buffer is not null && !_fillInFlight)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
                _start = 0;
                _end = 0;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                TaskCompletionSource<bool>? drained;
                lock (_lock)
                {
                    // After the handoff point the transport is the caller's: the WebSocket's Dispose, Abort, completed
                    // close or cancelled receive must not close it. Before it (a detach still waiting included) the
                    // WebSocket owns the transport, as the BCL WebSocket does; a waiting detach then fails.
                    if (_readSide >= ReadSide.Held || _disposed)
                    {
                        return;
                    }

                    _disposed = true;
                    ReturnBufferLocked();
                    drained = _writesDrained;
                    _writesDrained = null;
                }

                drained?.TrySetResult(true);
                _transport.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
