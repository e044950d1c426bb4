"use client";
// A modal with a form: heading, fields, Cancel and a submit button that shows progress.
import { Button, Form, Modal } from "@heroui/react";
import type { ReactNode } from "react";

export function FormDialog({
  title,
  isOpen,
  onOpenChange,
  onSubmit,
  submitLabel,
  isPending,
  children,
  size = "md",
}: {
  title: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  onSubmit: () => void;
  submitLabel: string;
  isPending: boolean;
  children: ReactNode;
  size?: "sm" | "md" | "lg";
}) {
  return (
    <Modal.Backdrop isOpen={isOpen} onOpenChange={onOpenChange}>
      <Modal.Container size={size}>
        <Modal.Dialog aria-label={title}>
          <Form
            validationBehavior="aria"
            onSubmit={(event) => {
              event.preventDefault();
              onSubmit();
            }}
          >
            <Modal.Header>
              <Modal.Heading>{title}</Modal.Heading>
            </Modal.Header>
            <Modal.Body className="flex flex-col gap-4">{children}</Modal.Body>
            <Modal.Footer>
              <Button
                variant="secondary"
                onPress={() => {
                  onOpenChange(false);
                }}
              >
                Cancel
              </Button>
              <Button type="submit" isPending={isPending}>
                {submitLabel}
              </Button>
            </Modal.Footer>
          </Form>
        </Modal.Dialog>
      </Modal.Container>
    </Modal.Backdrop>
  );
}
