using System;
using System.IO;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace WebSocketHandoff
{
    /// <summary>
    /// A <see cref="WebSocket"/> that can hand its transport back to the caller. While attached it is the BCL WebSocket
    /// (<see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>) in every respect. After
    /// <see cref="DetachAsync"/> the returned stream yields exactly the bytes the peer sent after the last frame the
    /// application consumed, and no byte from the WebSocket layer (keep-alive, pong, close) reaches the transport again.
    /// </summary>
    /// <remarks>
    /// For a clean two-way switch with keep-alive on, the side that sends the last WebSocket message uses
    /// <see cref="SendAndDetachAsync"/>; the other side calls <see cref="DetachAsync"/> as soon as it has received that
    /// message (EndOfMessage seen).
    /// </remarks>
    public sealed class HandoffWebSocket : WebSocket
    {
        private const string DetachedMessage =
            "The WebSocket was detached: its transport now belongs to the stream that the detach returned. Use that stream for I/O.";

        private const string FailedMessage =
            "A detach of this WebSocket failed and its connection was closed: no stream was handed off, and no further WebSocket operation is possible.";

        private const string SendingMessage =
            "A message is being sent (EndOfMessage not sent yet): detaching now would leave the peer inside it. " +
            "Finish it with SendAsync(..., endOfMessage: true) before detaching.";

        private const string ClosedDuringDetachMessage =
            "The WebSocket closed its connection while the detach waited (a completed close handshake, a failed receive or a " +
            "protocol error ends the WebSocket and disposes its stream): nothing was handed off. Detach only a WebSocket that " +
            "is open, before closing it.";

        private const string DetachingMessage =
            "A detach is in progress on this WebSocket: no further WebSocket operation can start. Use the stream that the detach returns.";

        private readonly WebSocket _webSocket;
        private readonly FrameBoundedStream _transport;
        private readonly object _gate = new object();

        private volatile Phase _phase;
        private bool _insideMessage;
        private volatile bool _sendingMessage;
        private long _messagesReceived;

        // Sends take no lock (a lock pair per send was a measurable part of a 16-byte send). A send counts itself in, then
        // reads the phase; a detach writes the phase, then reads the count. Both steps are separated by a full fence on
        // each side, so at least one sees the other: the send backs out, or the detach waits for it.
        private int _sendsInFlight;
        private TaskCompletionSource<bool>? _sendsDrained;

        private HandoffWebSocket(FrameBoundedStream transport, WebSocket webSocket)
        {
            _transport = transport;
            _webSocket = webSocket;
        }

        private enum Phase
        {
            Attached,
            Detaching,
            Detached,

            /// <summary>A detach failed after the WebSocket layer had stopped: the connection was closed, nothing was handed off.</summary>
            Failed,
        }

        /// <summary>
        /// Creates a HandoffWebSocket over <paramref name="stream"/>; the arguments are those of
        /// <see cref="WebSocket.CreateFromStream(Stream, bool, string?, TimeSpan)"/>.
        /// </summary>
        /// <param name="stream">The connection, already upgraded to WebSocket. The HandoffWebSocket owns it until a detach.</param>
        /// <param name="isServer">Whether this end is the server (its frames are unmasked).</param>
        /// <param name="subProtocol">The agreed sub-protocol, or null.</param>
        /// <param name="keepAliveInterval">The keep-alive interval, or <see cref="TimeSpan.Zero"/> for none.</param>
        /// <returns>A WebSocket in the Open state.</returns>
        public static new HandoffWebSocket CreateFromStream(Stream stream, bool isServer, string? subProtocol, TimeSpan keepAliveInterval)
        {
            FrameBoundedStream transport = Wrap(stream);
            return Create(transport, () => WebSocket.CreateFromStream(transport, isServer, subProtocol, keepAliveInterval));
        }

        /// <summary>
        /// Creates a HandoffWebSocket over <paramref name="stream"/>; the arguments are those of
        /// <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>, and every option is honoured.
        /// </summary>
        /// <param name="stream">The connection, already upgraded to WebSocket. The HandoffWebSocket owns it until a detach.</param>
        /// <param name="options">Role, sub-protocol, keep-alive and compression options.</param>
        /// <returns>A WebSocket in the Open state.</returns>
        public static new HandoffWebSocket CreateFromStream(Stream stream, WebSocketCreationOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            FrameBoundedStream transport = Wrap(stream);
            return Create(transport, () => WebSocket.CreateFromStream(transport, options));
        }

        /// <summary>
        /// Builds the BCL WebSocket over <paramref name="transport"/>. Arguments the BCL rejects (a sub-protocol, a
        /// keep-alive interval; its options validate themselves when set) leave nothing created, so the transport's pooled
        /// read buffer goes back at once; the caller's stream is left open, as with the BCL.
        /// </summary>
        private static HandoffWebSocket Create(FrameBoundedStream transport, Func<WebSocket> createBcl)
        {
            try
            {
                return new HandoffWebSocket(transport, createBcl());
            }
            catch
            {
                transport.ReturnUnusedBuffer();
                throw;
            }
        }

        private static FrameBoundedStream Wrap(Stream stream)
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!stream.CanRead || !stream.CanWrite)
            {
                throw new ArgumentException("The stream must be readable and writable: a WebSocket needs both directions.", nameof(stream));
            }

            return new FrameBoundedStream(stream);
        }

        /// <summary>Bytes of the current incoming frame that the WebSocket holds and a detach would give back (for tests).</summary>
        internal int HandedBytesOfCurrentFrame => _transport.HandedBytesOfCurrentFrame;

        /// <summary>Whether a WebSocket frame write is in flight on the transport (for tests).</summary>
        internal bool WriteInFlight => _transport.WriteInFlight;

        /// <summary>Whether the transport has been handed back by a completed detach.</summary>
        public bool IsDetached => _phase == Phase.Detached;

        /// <summary>
        /// Stops the WebSocket layer at the end of the last frame the application consumed and returns the transport.
        /// </summary>
        /// <remarks>
        /// Waits for a frame write in flight so that no partial frame is left on the wire; from the start of the call no
        /// byte from the WebSocket layer reaches the transport. A <see cref="ReceiveAsync(Memory{byte}, CancellationToken)"/>
        /// pending at the detach fails with <see cref="InvalidOperationException"/> and consumes nothing past the handoff point.
        /// <paramref name="cancellationToken"/> is honoured while the detach waits for in-flight sends and for a frame write
        /// of the WebSocket layer (a keep-alive or pong stuck on a full connection); a cancelled detach changes nothing.
        /// <see cref="Abort"/> or <see cref="Dispose"/> during a detach ends it: the connection is closed and the detach
        /// throws <see cref="WebSocketException"/>. Every error below comes back through the returned task (awaiting it
        /// throws), as the BCL WebSocket reports state errors; the call itself does not throw.
        /// </remarks>
        /// <param name="cancellationToken">Cancels the wait for in-flight sends and frame writes.</param>
        /// <returns>
        /// The transport: reads yield first the bytes that arrived after the handoff point, then go straight to the transport.
        /// The caller owns it; disposing it disposes the transport.
        /// </returns>
        /// <exception cref="InvalidOperationException">
        /// The application is inside a received message (EndOfMessage not seen yet), a message is being delivered, a sent
        /// message is unfinished (EndOfMessage not sent yet), or the WebSocket was already detached. Nothing is changed.
        /// </exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled. Nothing is changed.</exception>
        /// <exception cref="WebSocketException">
        /// The last frame write failed, or the WebSocket was aborted or disposed during the detach: the connection was
        /// closed and nothing was handed off.
        /// </exception>
        public ValueTask<Stream> DetachAsync(CancellationToken cancellationToken = default)
            => DetachCoreAsync(sendFinal: false, default, default, cancellationToken);

        /// <summary>
        /// Sends <paramref name="finalMessage"/> as the last WebSocket message and detaches, with no keep-alive, pong or
        /// close frame able to slip in after it.
        /// </summary>
        /// <remarks>Has the contract of <see cref="DetachAsync"/>. The peer detaches when it receives this message.</remarks>
        /// <param name="finalMessage">The payload of the last message.</param>
        /// <param name="messageType">Text or Binary.</param>
        /// <param name="cancellationToken">Cancels the wait for in-flight sends and frame writes, before anything is sent.</param>
        /// <returns>The transport, as from <see cref="DetachAsync"/>.</returns>
        /// <exception cref="ArgumentException"><paramref name="messageType"/> is not Text or Binary: thrown by the call itself, before anything else is looked at.</exception>
        /// <exception cref="InvalidOperationException">As for <see cref="DetachAsync"/>, through the returned task; nothing is sent or changed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, through the returned task. Nothing is sent or changed.</exception>
        /// <exception cref="WebSocketException">The final message could not be sent whole, or as for <see cref="DetachAsync"/>: the connection was closed.</exception>
        public ValueTask<Stream> SendAndDetachAsync(ReadOnlyMemory<byte> finalMessage, WebSocketMessageType messageType, CancellationToken cancellationToken = default)
        {
            if (messageType != WebSocketMessageType.Text && messageType != WebSocketMessageType.Binary)
            {
                throw new ArgumentException("The final message must be Text or Binary; to close the WebSocket use CloseAsync instead of detaching.", nameof(messageType));
            }

            return DetachCoreAsync(sendFinal: true, finalMessage, messageType, cancellationToken);
        }

        /// <summary>The synchronous form of <see cref="DetachAsync"/>, for code that cannot await; same contract.</summary>
        /// <returns>The transport, as from <see cref="DetachAsync"/>.</returns>
        /// <exception cref="InvalidOperationException">As for <see cref="DetachAsync"/>.</exception>
        /// <exception cref="WebSocketException">As for <see cref="DetachAsync"/>.</exception>
        public Stream Detach() => DetachCoreAsync(sendFinal: false, default, default, CancellationToken.None).AsTask().GetAwaiter().GetResult();

        private async ValueTask<Stream> DetachCoreAsync(bool sendFinal, ReadOnlyMemory<byte> finalMessage, WebSocketMessageType messageType, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task? sendsDrained = null;
            lock (_gate)
            {
                ThrowIfNotAttached();
                ThrowIfInsideMessage();
                WebSocketState state = _webSocket.State;
                if (state is WebSocketState.Aborted or WebSocketState.Closed)
                {
                    throw new InvalidOperationException(
                        $"The WebSocket is {state}: after a failure or a completed close the connection is not in a known state at a frame boundary, so it cannot be handed off.");
                }

                if (sendFinal)
                {
                    ThrowIfCannotSendFinal(state);
                }

                // Publish the detach before looking at the sends (see _sendsInFlight): a send that counts itself in after
                // this sees it and backs out, so none can start behind the handoff point.
                _phase = Phase.Detaching;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _sendsInFlight) == 0)
                {
                    try
                    {
                        ThrowIfSendingMessage();

                        // The handoff point follows every send made so far.
                        _transport.Hold(_messagesReceived, keepFinal: sendFinal);
                    }
                    catch
                    {
                        // Refused: nothing changes. A send that saw the phase meanwhile is waiting for _gate and goes on.
                        _phase = Phase.Attached;
                        throw;
                    }
                }
                else
                {
                    // The last send out completes this; it may already have left, so look again after publishing it.
                    var drained = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    Volatile.Write(ref _sendsDrained, drained);
                    Interlocked.MemoryBarrier();
                    if (Volatile.Read(ref _sendsInFlight) == 0)
                    {
                        drained.TrySetResult(true);
                    }

                    sendsDrained = drained.Task;

                    // Keep-alive frames queued behind the last send must not follow it onto the wire (G3 from the start
                    // of the detach): they wait for the decision, as once the handoff point is chosen. Only for a single
                    // send: with concurrent sends (queued by the WebSocket) a held frame could keep a later one waiting.
                    if (Volatile.Read(ref _sendsInFlight) == 1)
                    {
                        _transport.BeginDrain();
                    }
                }
            }

            // Until the handoff point is committed the detach can be cancelled or refused, and then changes nothing:
            // frames and writes flow again.
            try
            {
                if (sendsDrained is not null)
                {
                    await sendsDrained.WaitAsync(cancellationToken).ConfigureAwait(false);
                    lock (_gate)
                    {
                        ThrowIfInsideMessage();
                        ThrowIfSendingMessage();
                        _transport.Hold(_messagesReceived, keepFinal: sendFinal);
                    }
                }

                // New WebSocket-layer writes (keep-alive, pongs) now wait; one already in flight may be stuck on a full
                // connection, so this wait is cancellable too.
                await _transport.WaitForWriteInFlightAsync(cancellationToken).ConfigureAwait(false);
                if (sendFinal)
                {
                    // A close that began before the detach may have sent its frame meanwhile: no final message after it.
                    ThrowIfCannotSendFinal(_webSocket.State);
                }
            }
            catch (Exception ex)
            {
                if (_transport.IsClosed)
                {
                    // Abort/Dispose (or the WebSocket failing) while the detach waited: the connection is closed, there is
                    // nothing to go back to.
                    bool byOwner = _transport.AbortRequested;
                    FailDetach();
                    throw new WebSocketException(
                        WebSocketError.InvalidState,
                        byOwner ? FrameBoundedStream.AbortedDuringDetachMessage : ClosedDuringDetachMessage,
                        ex);
                }

                _transport.Resume();
                lock (_gate)
                {
                    _phase = Phase.Attached;
                    _sendsDrained = null;
                }

                throw;
            }

            // From the commit on, the detach cannot be cancelled: abandoning the final send or the flush could leave a
            // partial frame on the wire. Abort/Dispose still end it (they close the transport).
            try
            {
                _transport.Commit();
                if (sendFinal)
                {
                    await _webSocket.SendAsync(finalMessage, messageType, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }

                await _transport.FlushAfterCommitAsync().ConfigureAwait(false);
                _transport.Release();
            }
            catch (Exception ex)
            {
                // The last frame may be incomplete on the wire, or the owner aborted: the connection cannot be handed
                // over. Close it rather than hand back a stream in an unknown state.
                FailDetach();

                // The owner's Abort/Dispose is the cause whatever the failed step threw: a Dispose makes the BCL's final
                // send fail with its own WebSocketException ("the remote party closed the connection..."), which would
                // blame the peer. Commit/Release already throw the owner's error (known by identity); only other errors
                // are wrapped.
                if (_transport.AbortRequested && !_transport.IsOwnerAbortError(ex))
                {
                    throw new WebSocketException(WebSocketError.InvalidState, FrameBoundedStream.AbortedDuringDetachMessage, ex);
                }

                throw;
            }

            // Stops the keep-alive timer and fails what the WebSocket still had pending; its Dispose of the stream is ignored now.
            _webSocket.Abort();
            lock (_gate)
            {
                _phase = Phase.Detached;
            }

            return new DetachedStream(_transport);
        }

        private static void ThrowIfCannotSendFinal(WebSocketState state)
        {
            if (state != WebSocketState.Open && state != WebSocketState.CloseReceived)
            {
                throw new InvalidOperationException(
                    $"The WebSocket is {state}: it has sent its close frame and can send no final message. Use DetachAsync instead of SendAndDetachAsync.");
            }
        }

        /// <summary>Ends a detach that can neither go on nor go back: the connection is closed, nothing is handed off.</summary>
        private void FailDetach()
        {
            lock (_gate)
            {
                _phase = Phase.Failed;
                _sendsDrained = null;
            }

            _transport.Fail();
            _webSocket.Abort();
        }

        private void ThrowIfNotAttached()
        {
            InvalidOperationException? error = NotAttachedError();
            if (error is not null)
            {
                throw error;
            }
        }

        /// <summary>The state error of an operation that needs the WebSocket attached and idle of detaches, or null.</summary>
        private InvalidOperationException? NotAttachedError() => _phase switch
        {
            Phase.Detached => new InvalidOperationException(DetachedMessage),
            Phase.Failed => new InvalidOperationException(FailedMessage),
            Phase.Detaching => new InvalidOperationException(DetachingMessage),
            _ => null,
        };

        /// <summary>
        /// The argument checks the BCL WebSocket makes before it looks at its state, for the calls this class refuses
        /// without asking it: argument errors are thrown synchronously and come before the state error, as there.
        /// </summary>
        private static void ValidateSendArguments(WebSocketMessageType messageType)
        {
            if (messageType != WebSocketMessageType.Text && messageType != WebSocketMessageType.Binary)
            {
                throw new ArgumentException(
                    $"The message type '{messageType}' is not allowed for SendAsync: valid message types are Binary and Text. To close the WebSocket, use CloseOutputAsync.",
                    nameof(messageType));
            }
        }

        /// <inheritdoc cref="ValidateSendArguments"/>
        private static void ValidateCloseArguments(WebSocketCloseStatus closeStatus, string? statusDescription)
        {
            if (closeStatus == WebSocketCloseStatus.Empty && !string.IsNullOrEmpty(statusDescription))
            {
                throw new ArgumentException(
                    $"The close status description '{statusDescription}' is invalid: with close status Empty the description must be null.",
                    nameof(statusDescription));
            }

            // RFC 6455 §7.4: codes below 1000 are not used, and 1006 and 1015 are reserved for reporting, never sent.
            int code = (int)closeStatus;
            if (code is >= 0 and <= 999 or 1006 or 1015)
            {
                throw new ArgumentException($"The close status code '{code}' is reserved and cannot be sent.", nameof(closeStatus));
            }

            // A close frame's payload is at most 125 bytes, 2 of them the status code.
            if (!string.IsNullOrEmpty(statusDescription) && System.Text.Encoding.UTF8.GetByteCount(statusDescription) > 123)
            {
                throw new ArgumentException(
                    $"The close status description '{statusDescription}' is too long: its UTF-8 form must not be longer than 123 bytes.",
                    nameof(statusDescription));
            }
        }

        // Receives are refused only once the handoff point is fixed: a detach that is still waiting for sends, and may yet
        // be refused, must not break the application's receive loop.
        private InvalidOperationException HandedOffError()
            => new InvalidOperationException(_phase == Phase.Failed ? FailedMessage : DetachedMessage);

        private void ThrowIfSendingMessage()
        {
            if (_sendingMessage)
            {
                throw new InvalidOperationException(SendingMessage);
            }
        }

        private void ThrowIfInsideMessage()
        {
            if (_insideMessage)
            {
                throw new InvalidOperationException(
                    "The application is inside a received message (EndOfMessage not seen yet): detaching now would strand the rest of it. " +
                    "Receive until EndOfMessage, then detach.");
            }
        }

        /// <inheritdoc />
        public override WebSocketCloseStatus? CloseStatus => _webSocket.CloseStatus;

        /// <inheritdoc />
        public override string? CloseStatusDescription => _webSocket.CloseStatusDescription;

        /// <summary>The state of the WebSocket layer; <see cref="WebSocketState.Closed"/> once detached.</summary>
        public override WebSocketState State => IsDetached ? WebSocketState.Closed : _webSocket.State;

        /// <inheritdoc />
        public override string? SubProtocol => _webSocket.SubProtocol;

        /// <summary>
        /// Aborts the WebSocket. Before a detach this closes the transport, as the BCL WebSocket does; during one it closes
        /// the transport and the detach fails; after one it leaves the transport to its new owner.
        /// </summary>
        public override void Abort()
        {
            _transport.AbortByOwner();
            _webSocket.Abort();
        }

        /// <summary>
        /// Disposes the WebSocket. Before a detach this closes the transport, as the BCL WebSocket does; during one it closes
        /// the transport and the detach fails; after one it leaves the transport to its new owner.
        /// </summary>
        public override void Dispose()
        {
            _transport.AbortByOwner();
            _webSocket.Dispose();
        }

        /// <inheritdoc />
        /// <returns>
        /// The close, as on the BCL WebSocket. After a detach (or during one, or after a failed one) a task failed with
        /// <see cref="InvalidOperationException"/>: closing would write into the raw stream. The same when the detach meets
        /// the close while its frame has not gone out yet.
        /// </returns>
        /// <exception cref="ArgumentException">A reserved close status, a description with <see cref="WebSocketCloseStatus.Empty"/>, or a description longer than 123 UTF-8 bytes (thrown, not returned, as by the BCL WebSocket).</exception>
        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
            => RefusedClose(closeStatus, statusDescription)
                ?? AwaitCloseAsync(_webSocket.CloseAsync(closeStatus, statusDescription, cancellationToken));

        /// <inheritdoc />
        /// <returns>
        /// The close, as on the BCL WebSocket. After a detach (or during one, or after a failed one) a task failed with
        /// <see cref="InvalidOperationException"/>: closing would write into the raw stream. The same when the detach meets
        /// the close while its frame has not gone out yet.
        /// </returns>
        /// <exception cref="ArgumentException">A reserved close status, a description with <see cref="WebSocketCloseStatus.Empty"/>, or a description longer than 123 UTF-8 bytes (thrown, not returned, as by the BCL WebSocket).</exception>
        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
            => RefusedClose(closeStatus, statusDescription)
                ?? AwaitCloseAsync(_webSocket.CloseOutputAsync(closeStatus, statusDescription, cancellationToken));

        /// <summary>
        /// A close refused because the WebSocket is detached, detaching or failed: a failed task, after the argument checks
        /// the BCL WebSocket throws first. Null when the close may go to the WebSocket.
        /// </summary>
        private Task? RefusedClose(WebSocketCloseStatus closeStatus, string? statusDescription)
        {
            InvalidOperationException? error;
            lock (_gate)
            {
                error = NotAttachedError();
            }

            if (error is null)
            {
                return null;
            }

            ValidateCloseArguments(closeStatus, statusDescription);
            return Task.FromException(error);
        }

        // A close that began while attached and met a detach fails (its frame is refused after the handoff point): say so.
        private async Task AwaitCloseAsync(Task close)
        {
            try
            {
                await close.ConfigureAwait(false);
            }
            catch (Exception ex) when (_transport.IsHandedOff && ex is not InvalidOperationException)
            {
                throw new InvalidOperationException(_phase == Phase.Failed ? FailedMessage : DetachedMessage, ex);
            }
        }

        // ---- Receive: passed through, noting where the application is relative to message boundaries ----

        /// <inheritdoc />
        /// <returns>
        /// The receive, as on the BCL WebSocket. After a detach (or after a failed one) a task failed with
        /// <see cref="InvalidOperationException"/>; a receive pending when the detach fixes the handoff point fails the same way.
        /// </returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> has no array (thrown, not returned, as by the BCL WebSocket).</exception>
        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            if (buffer.Array is null)
            {
                throw new ArgumentNullException("buffer.Array");
            }

            // A state error is a failed task, as on the BCL WebSocket.
            if (_transport.IsHandedOff)
            {
                return Task.FromException<WebSocketReceiveResult>(HandedOffError());
            }

            // On the BCL WebSocket's Memory overload, as the BCL's own ArraySegment overload is: a receive that completes
            // later costs what it costs there (a pooled state machine, the Task over it, the result), not an unpooled
            // async Task state machine on top of a pooled one.
            ValueTask<ValueWebSocketReceiveResult> receive = _webSocket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (receive.IsCompletedSuccessfully)
            {
                ValueWebSocketReceiveResult result = receive.Result;
                OnReceived(result.MessageType, result.EndOfMessage);
                return Task.FromResult(ToReceiveResult(result));
            }

            return AwaitReceiveResultAsync(receive).AsTask();
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<WebSocketReceiveResult> AwaitReceiveResultAsync(ValueTask<ValueWebSocketReceiveResult> receive)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await receive.ConfigureAwait(false);
            }
            catch (Exception ex) when (_transport.IsHandedOff)
            {
                throw HandedOffReceiveException(ex);
            }

            OnReceived(result.MessageType, result.EndOfMessage);
            return ToReceiveResult(result);
        }

        private WebSocketReceiveResult ToReceiveResult(ValueWebSocketReceiveResult result)
            => result.MessageType == WebSocketMessageType.Close
                ? new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage, _webSocket.CloseStatus, _webSocket.CloseStatusDescription)
                : new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);

        /// <inheritdoc />
        /// <returns>
        /// The receive, as on the BCL WebSocket. After a detach (or after a failed one) a task failed with
        /// <see cref="InvalidOperationException"/>; a receive pending when the detach fixes the handoff point fails the same way.
        /// </returns>
        public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            // A state error is a failed task, as on the BCL WebSocket.
            if (_transport.IsHandedOff)
            {
                return ValueTask.FromException<ValueWebSocketReceiveResult>(HandedOffError());
            }

            ValueTask<ValueWebSocketReceiveResult> receive = _webSocket.ReceiveAsync(buffer, cancellationToken);
            if (receive.IsCompletedSuccessfully)
            {
                ValueWebSocketReceiveResult result = receive.Result;
                OnReceived(result.MessageType, result.EndOfMessage);
                return new ValueTask<ValueWebSocketReceiveResult>(result);
            }

            return AwaitReceiveAsync(receive);
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<ValueWebSocketReceiveResult> AwaitReceiveAsync(ValueTask<ValueWebSocketReceiveResult> receive)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await receive.ConfigureAwait(false);
            }
            catch (Exception ex) when (_transport.IsHandedOff)
            {
                throw HandedOffReceiveException(ex);
            }

            OnReceived(result.MessageType, result.EndOfMessage);
            return result;
        }

        /// <summary>A receive that failed because the handoff point was fixed under it (or the detach failed).</summary>
        private InvalidOperationException HandedOffReceiveException(Exception inner)
            => new InvalidOperationException(_phase == Phase.Failed ? FrameBoundedStream.FailedReadMessage : FrameBoundedStream.DetachedReadMessage, inner);

        private void OnReceived(WebSocketMessageType messageType, bool endOfMessage)
        {
            if (messageType == WebSocketMessageType.Close)
            {
                return;
            }

            lock (_gate)
            {
                _insideMessage = !endOfMessage;
                if (endOfMessage)
                {
                    _messagesReceived++;
                }
            }
        }

        // ---- Send: passed through, counting sends in flight so that a detach can wait for them ----

        /// <inheritdoc />
        /// <returns>
        /// The send, as on the BCL WebSocket. After a detach, while one is in progress, or after a failed one, a task
        /// failed with <see cref="InvalidOperationException"/>.
        /// </returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> has no array (thrown, not returned, as by the BCL WebSocket).</exception>
        /// <exception cref="ArgumentException"><paramref name="messageType"/> is not Text or Binary (thrown, as by the BCL WebSocket).</exception>
        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            if (buffer.Array is null)
            {
                throw new ArgumentNullException("buffer.Array");
            }

            return SendAsync(buffer.AsMemory(), messageType, endOfMessage ? WebSocketMessageFlags.EndOfMessage : WebSocketMessageFlags.None, cancellationToken).AsTask();
        }

        /// <inheritdoc />
        /// <returns>
        /// The send, as on the BCL WebSocket. After a detach, while one is in progress, or after a failed one, a task
        /// failed with <see cref="InvalidOperationException"/>.
        /// </returns>
        /// <exception cref="ArgumentException"><paramref name="messageType"/> is not Text or Binary (thrown, as by the BCL WebSocket).</exception>
        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
            => SendAsync(buffer, messageType, endOfMessage ? WebSocketMessageFlags.EndOfMessage : WebSocketMessageFlags.None, cancellationToken);

        /// <inheritdoc />
        /// <returns>
        /// The send, as on the BCL WebSocket. After a detach, while one is in progress, or after a failed one, a task
        /// failed with <see cref="InvalidOperationException"/>.
        /// </returns>
        /// <exception cref="ArgumentException"><paramref name="messageType"/> is not Text or Binary (thrown, as by the BCL WebSocket).</exception>
        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _sendsInFlight);
            if (_phase != Phase.Attached)
            {
                // A state error is a failed task, as on the BCL WebSocket.
                InvalidOperationException? refused = BackOutForDetach(messageType);
                if (refused is not null)
                {
                    return ValueTask.FromException(refused);
                }
            }

            bool endOfMessage = (messageFlags & WebSocketMessageFlags.EndOfMessage) != 0;
            ValueTask send;
            try
            {
                send = _webSocket.SendAsync(buffer, messageType, messageFlags, cancellationToken);
            }
            catch
            {
                EndSend(sent: false, endOfMessage);
                throw;
            }

            // A send that failed at once (cancelled token, aborted socket) is returned as a failed task, as the BCL does,
            // not thrown here.
            if (send.IsCompletedSuccessfully)
            {
                send.GetAwaiter().GetResult();
                EndSend(sent: true, endOfMessage);
                return default;
            }

            return AwaitSendAsync(send, endOfMessage);
        }

        /// <summary>
        /// The slow path of a send that met a detach (begun, deciding or done): backs out (a send that did not happen), then
        /// asks again once the detach has decided, as sends did before the fast path: a detach that is refused changes
        /// nothing, so a send racing it must not fail. Returns the state error, or null with the send counted in again.
        /// Argument errors are thrown first, as by the BCL WebSocket.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private InvalidOperationException? BackOutForDetach(WebSocketMessageType messageType)
        {
            EndSend(sent: false, endOfMessage: false);
            ValidateSendArguments(messageType);
            lock (_gate)
            {
                InvalidOperationException? error = NotAttachedError();
                if (error is null)
                {
                    Interlocked.Increment(ref _sendsInFlight);
                }

                return error;
            }
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        private async ValueTask AwaitSendAsync(ValueTask send, bool endOfMessage)
        {
            // Tells a detach's gate that this send waits inside the WebSocket (see FrameBoundedStream.NoteSendParked):
            // slow-path work only, the sends the WebSocket completes at once never come here.
            _transport.NoteSendParked();
            bool sent = false;
            try
            {
                await send.ConfigureAwait(false);
                sent = true;
            }
            finally
            {
                _transport.NoteSendUnparked();
                EndSend(sent, endOfMessage);
            }
        }

        private void EndSend(bool sent, bool endOfMessage)
        {
            if (sent)
            {
                // A sent message is open from a send without EndOfMessage until one with it. Written before the count
                // goes down, so a detach that sees no send in flight sees it too.
                _sendingMessage = !endOfMessage;
            }

            if (Interlocked.Decrement(ref _sendsInFlight) == 0)
            {
                // A detach waiting for the sends (or one from a cancelled detach: completing that is harmless).
                Volatile.Read(ref _sendsDrained)?.TrySetResult(true);
            }
        }
    }
}
