using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// WSH003's question: may the keep-alive of a BCL WebSocket be on? Off only when the interval is provably
    /// <c>TimeSpan.Zero</c> or <c>Timeout.InfiniteTimeSpan</c>, or an inline <c>WebSocketCreationOptions</c> (or a local
    /// initialized with one in the same body) never sets <c>KeepAliveInterval</c> (the BCL default is zero).
    /// Works on the member's own operation tree, where object initializers are still whole.
    /// </summary>
    internal static class KeepAlive
    {
        public static bool MayBeOn(CreationResult creation, HandoffTypes types)
        {
            var root = creation.Member.Root!;
            var invocation = FindCreation(root, creation.Creation.Syntax);
            if (invocation == null)
            {
                return true;
            }

            foreach (var argument in invocation.Arguments)
            {
                var parameter = argument.Parameter;
                if (parameter == null)
                {
                    continue;
                }

                if (HandoffTypes.InheritsFrom(parameter.Type, types.TimeSpan))
                {
                    return !IsOff(argument.Value, root, types, 0);
                }

                if (HandoffTypes.InheritsFrom(parameter.Type, types.WebSocketCreationOptions))
                {
                    return OptionsMayBeOn(argument.Value, root, types);
                }
            }

            return true;
        }

        /// <summary>
        /// The creation in the member's own operation tree (the graph's copy has lost the object initializers): the model
        /// has the member's operations, so ask it; search the tree only where it cannot say.
        /// </summary>
        private static IInvocationOperation? FindCreation(IOperation root, SyntaxNode syntax)
        {
            var model = root.SemanticModel;
            if (model != null && model.SyntaxTree == syntax.SyntaxTree && model.GetOperation(syntax) is IInvocationOperation found)
            {
                return found;
            }

            foreach (var operation in root.DescendantsAndSelf())
            {
                if (operation is IInvocationOperation candidate && candidate.Syntax == syntax)
                {
                    return candidate;
                }
            }

            return null;
        }

        private static bool OptionsMayBeOn(IOperation value, IOperation root, HandoffTypes types)
        {
            value = EventClassifier.Unwrap(value)!;
            if (value is IObjectCreationOperation creation)
            {
                return InitializerMayBeOn(creation, root, types);
            }

            if (value is ILocalReferenceOperation local)
            {
                var any = false;
                foreach (var assigned in ValuesOf(local.Local, root))
                {
                    any = true;
                    if (!(EventClassifier.Unwrap(assigned) is IObjectCreationOperation optionsCreation) || InitializerMayBeOn(optionsCreation, root, types))
                    {
                        return true;
                    }
                }

                if (!any)
                {
                    return true;
                }

                // options.KeepAliveInterval = … anywhere in the body.
                foreach (var operation in root.Descendants())
                {
                    if (operation is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "KeepAliveInterval" } property } assignment
                        && EventClassifier.Unwrap(property.Instance) is ILocalReferenceOperation instance
                        && SymbolEqualityComparer.Default.Equals(instance.Local, local.Local)
                        && !IsOff(assignment.Value, root, types, 0))
                    {
                        return true;
                    }
                }

                return false;
            }

            return true;
        }

        private static bool InitializerMayBeOn(IObjectCreationOperation creation, IOperation root, HandoffTypes types)
        {
            if (creation.Initializer == null)
            {
                return false;
            }

            foreach (var initializer in creation.Initializer.Initializers)
            {
                if (initializer is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "KeepAliveInterval" } } assignment
                    && !IsOff(assignment.Value, root, types, 0))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsOff(IOperation value, IOperation root, HandoffTypes types, int depth)
        {
            value = EventClassifier.Unwrap(value)!;
            switch (value)
            {
                case IDefaultValueOperation:
                    return true;
                case IFieldReferenceOperation { Field: { IsStatic: true } field }
                    when (field.Name == "Zero" && SymbolEqualityComparer.Default.Equals(field.ContainingType, types.TimeSpan))
                        || (field.Name == "InfiniteTimeSpan" && SymbolEqualityComparer.Default.Equals(field.ContainingType, types.Timeout)):
                    return true;
                case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, types.TimeSpan):
                    foreach (var argument in creation.Arguments)
                    {
                        if (!(argument.Value.ConstantValue.HasValue && IsZero(argument.Value.ConstantValue.Value)))
                        {
                            return false;
                        }
                    }

                    return true;
                case IInvocationOperation { TargetMethod: { IsStatic: true } method } invocation
                    when SymbolEqualityComparer.Default.Equals(method.ContainingType, types.TimeSpan)
                         && method.Name.StartsWith("From", System.StringComparison.Ordinal)
                         && invocation.Arguments.Length >= 1:
                    foreach (var argument in invocation.Arguments)
                    {
                        var constant = argument.Value.ConstantValue;
                        if (!constant.HasValue)
                        {
                            return false;
                        }

                        if (IsZero(constant.Value))
                        {
                            continue;
                        }

                        // TimeSpan.FromMilliseconds(-1) is Timeout.InfiniteTimeSpan.
                        return invocation.Arguments.Length == 1 && method.Name == "FromMilliseconds" && IsMinusOne(constant.Value);
                    }

                    return true;
                case IFieldReferenceOperation { Field: { IsReadOnly: true } readOnlyField } when depth < 4:
                    return ReadOnlyFieldIsOff(readOnlyField, root, types, depth);
                case ILocalReferenceOperation local when depth < 4:
                    var any = false;
                    foreach (var assigned in ValuesOf(local.Local, root))
                    {
                        any = true;
                        if (!IsOff(assigned, root, types, depth + 1))
                        {
                            return false;
                        }
                    }

                    return any;
                default:
                    return false;
            }
        }

        /// <summary>
        /// A readonly field of this file (<c>private static readonly TimeSpan NoKeepAlive = TimeSpan.Zero;</c>) holds its
        /// initializer's value when no constructor or <c>init</c> accessor of its type names it: only they could assign it.
        /// </summary>
        private static bool ReadOnlyFieldIsOff(IFieldSymbol field, IOperation root, HandoffTypes types, int depth)
        {
            var model = root.SemanticModel;
            if (model == null || field.DeclaringSyntaxReferences.Length != 1)
            {
                return false;
            }

            var declaration = field.DeclaringSyntaxReferences[0].GetSyntax();
            if (declaration.SyntaxTree != model.SyntaxTree
                || !(declaration is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer: { } initializer })
                || !(model.GetOperation(initializer.Value) is { } value))
            {
                return false;
            }

            foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
            {
                foreach (var node in reference.GetSyntax().DescendantNodes())
                {
                    if ((node is Microsoft.CodeAnalysis.CSharp.Syntax.ConstructorDeclarationSyntax
                            || (node is Microsoft.CodeAnalysis.CSharp.Syntax.AccessorDeclarationSyntax accessor
                                && accessor.Keyword.ValueText == "init"))
                        && NamesIdentifier(node, field.Name))
                    {
                        return false;
                    }
                }
            }

            return IsOff(value, value, types, depth + 1);
        }

        private static bool NamesIdentifier(SyntaxNode node, string name)
        {
            foreach (var token in node.DescendantTokens())
            {
                if (token.ValueText == name && token.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Every value the body gives the local (its initializer and assignments); null-free.</summary>
        private static IEnumerable<IOperation> ValuesOf(ILocalSymbol local, IOperation root)
        {
            foreach (var operation in root.Descendants())
            {
                if (operation is IVariableDeclaratorOperation declarator
                    && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local)
                    && declarator.GetVariableInitializer() is { } initializer)
                {
                    yield return initializer.Value;
                }
                else if (operation is IAssignmentOperation { Target: ILocalReferenceOperation target } assignment
                    && SymbolEqualityComparer.Default.Equals(target.Local, local))
                {
                    yield return assignment is ISimpleAssignmentOperation simple ? simple.Value : assignment;
                }
            }
        }

        private static bool IsZero(object? value) => value switch
        {
            int i => i == 0,
            long l => l == 0,
            double d => d == 0,
            _ => false,
        };

        private static bool IsMinusOne(object? value) => value switch
        {
            int i => i == -1,
            long l => l == -1,
            double d => d == -1,
            _ => false,
        };
    }
}
