using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace WebSocketHandoff
{
    /// <summary>
    /// The transport as handed back by a detach: reads yield the residual bytes the WebSocket layer never saw, then go
    /// straight to the transport; writes always go straight to it. Disposing it disposes the transport.
    /// </summary>
    internal sealed class DetachedStream : Stream
    {
        private readonly Stream _transport;

        // Null once the residual is drained: from then on every read is a direct transport read.
        private FrameBoundedStream? _residual;

        public DetachedStream(FrameBoundedStream residual)
        {
            _residual = residual;
            _transport = residual.Transport;
        }

        public override bool CanRead => _transport.CanRead;

        public override bool CanWrite => _transport.CanWrite;

        public override bool CanSeek => false;

        public override bool CanTimeout => _transport.CanTimeout;

        public override int ReadTimeout
        {
            get => _transport.ReadTimeout;
            set => _transport.ReadTimeout = value;
        }

        public override int WriteTimeout
        {
            get => _transport.WriteTimeout;
            set => _transport.WriteTimeout = value;
        }

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => _residual is null ? _transport.ReadAsync(buffer, cancellationToken) : ReadResidualAsync(buffer, cancellationToken);

        private async ValueTask<int> ReadResidualAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            FrameBoundedStream? residual = _residual;
            if (residual is not null)
            {
                int n = await residual.ReadResidualAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n >= 0)
                {
                    return n;
                }

                _residual = null;
            }

            return await _transport.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            ValidateBufferArguments(buffer, offset, count);
            FrameBoundedStream? residual = _residual;
            if (residual is not null)
            {
                int n = ReadResidualSynchronously(residual, buffer.AsMemory(offset, count));
                if (n >= 0)
                {
                    return n;
                }

                _residual = null;
            }

            // A synchronous transport read, so that the transport's ReadTimeout applies as it does without the helper.
            return _transport.Read(buffer, offset, count);
        }

        /// <summary>A synchronous residual read: bounded by the transport's ReadTimeout while it waits for a transport read in flight.</summary>
        private int ReadResidualSynchronously(FrameBoundedStream residual, Memory<byte> buffer)
        {
            int timeout = _transport.CanTimeout ? _transport.ReadTimeout : Timeout.Infinite;
            using CancellationTokenSource? timer = timeout > 0 ? new CancellationTokenSource(timeout) : null;
            try
            {
                return residual.ReadResidualAsync(buffer, timer?.Token ?? CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException ex) when (timer is not null && timer.IsCancellationRequested)
            {
                throw new IOException("The read timed out (ReadTimeout) waiting for the transport; no byte was lost.", new TimeoutException(ex.Message, ex));
            }
        }

        public override int Read(Span<byte> buffer)
        {
            if (_residual is null)
            {
                return _transport.Read(buffer);
            }

            byte[] rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
            try
            {
                int n = Read(rented, 0, buffer.Length);
                rented.AsSpan(0, n).CopyTo(buffer);
                return n;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            => _transport.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => _transport.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => _transport.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => _transport.Write(buffer);

        public override Task FlushAsync(CancellationToken cancellationToken) => _transport.FlushAsync(cancellationToken);

        public override void Flush() => _transport.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _residual?.Retire();
                _residual = null;
                _transport.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            _residual?.Retire();
            _residual = null;
            await _transport.DisposeAsync().ConfigureAwait(false);
            GC.SuppressFinalize(this);
        }
    }
}
